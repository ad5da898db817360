package org.hearth.core.crypto;

import java.util.Arrays;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.hearth.core.bytes.SecretBytes;

final class ChaCha20Poly1305Aead implements Aead {
    static final ChaCha20Poly1305Aead INSTANCE = new ChaCha20Poly1305Aead();
    static final int NONCE_LENGTH = 12;

    @Override
    public int nonceLength() {
        return NONCE_LENGTH;
    }

    @Override
    public byte[] seal(SecretBytes key, byte[] nonce, byte[] aad, byte[] plaintext) {
        byte[] k = key.reveal();
        try {
            return sealRaw(k, nonce, aad, plaintext);
        } finally {
            Arrays.fill(k, (byte) 0);
        }
    }

    @Override
    public byte[] open(SecretBytes key, byte[] nonce, byte[] aad, byte[] ciphertext) throws CryptoException {
        byte[] k = key.reveal();
        try {
            return openRaw(k, nonce, aad, ciphertext);
        } finally {
            Arrays.fill(k, (byte) 0);
        }
    }

    static byte[] sealRaw(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext) {
        ChaCha20Poly1305 c = init(true, key, nonce, aad);
        byte[] out = new byte[plaintext.length + TAG_LENGTH];
        int n = c.processBytes(plaintext, 0, plaintext.length, out, 0);
        try {
            c.doFinal(out, n);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("encryption cannot fail", e);
        }
        return out;
    }

    static byte[] openRaw(byte[] key, byte[] nonce, byte[] aad, byte[] ciphertext) throws CryptoException {
        if (ciphertext.length < TAG_LENGTH) {
            throw new CryptoException("ciphertext shorter than its tag");
        }
        ChaCha20Poly1305 c = init(false, key, nonce, aad);
        byte[] out = new byte[ciphertext.length - TAG_LENGTH];
        int n = c.processBytes(ciphertext, 0, ciphertext.length, out, 0);
        try {
            c.doFinal(out, n);
        } catch (InvalidCipherTextException e) {
            Arrays.fill(out, (byte) 0);
            throw new CryptoException("authentication failed");
        }
        return out;
    }

    private static ChaCha20Poly1305 init(boolean encrypt, byte[] key, byte[] nonce, byte[] aad) {
        if (key.length != KEY_LENGTH || nonce.length != NONCE_LENGTH) {
            throw new IllegalArgumentException("ChaCha20-Poly1305 needs a 32-byte key and a 12-byte nonce");
        }
        ChaCha20Poly1305 c = new ChaCha20Poly1305();
        c.init(encrypt, new AEADParameters(new KeyParameter(key), TAG_LENGTH * 8, nonce, aad));
        return c;
    }
}
