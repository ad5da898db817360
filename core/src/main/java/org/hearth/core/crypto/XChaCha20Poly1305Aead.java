package org.hearth.core.crypto;

import java.util.Arrays;
import org.bouncycastle.crypto.engines.ChaChaEngine;
import org.bouncycastle.util.Pack;
import org.hearth.core.bytes.SecretBytes;

/**
 * XChaCha20-Poly1305 as draft-irtf-cfrg-xchacha-03 §2.3: subkey = HChaCha20(key, nonce[0..16]), then
 * ChaCha20-Poly1305 with nonce {@code 0^4 ‖ nonce[16..24]}. HChaCha20 is BouncyCastle's ChaCha core with
 * the final feed-forward addition undone (§2.2), so no new primitive is written here; the ChaCha20-Poly1305 is
 * {@link ChaCha20Poly1305Aead}'s (the JDK's).
 */
final class XChaCha20Poly1305Aead implements Aead {
    static final XChaCha20Poly1305Aead INSTANCE = new XChaCha20Poly1305Aead();
    static final int NONCE_LENGTH = 24;

    @Override
    public int nonceLength() {
        return NONCE_LENGTH;
    }

    @Override
    public byte[] seal(SecretBytes key, byte[] nonce, byte[] aad, byte[] plaintext) {
        checkNonce(nonce);
        byte[] k = key.reveal();
        byte[] sub = hchacha20(k, nonce);
        try {
            return ChaCha20Poly1305Aead.sealRaw(sub, innerNonce(nonce), aad, plaintext);
        } finally {
            Arrays.fill(k, (byte) 0);
            Arrays.fill(sub, (byte) 0);
        }
    }

    @Override
    public byte[] open(SecretBytes key, byte[] nonce, byte[] aad, byte[] ciphertext) throws CryptoException {
        checkNonce(nonce);
        byte[] k = key.reveal();
        byte[] sub = hchacha20(k, nonce);
        try {
            return ChaCha20Poly1305Aead.openRaw(sub, innerNonce(nonce), aad, ciphertext);
        } finally {
            Arrays.fill(k, (byte) 0);
            Arrays.fill(sub, (byte) 0);
        }
    }

    private static void checkNonce(byte[] nonce) {
        if (nonce.length != NONCE_LENGTH) {
            throw new IllegalArgumentException("XChaCha20-Poly1305 needs a 24-byte nonce");
        }
    }

    private static byte[] innerNonce(byte[] nonce) {
        byte[] n = new byte[12];
        System.arraycopy(nonce, 16, n, 4, 8);
        return n;
    }

    static byte[] hchacha20(byte[] key, byte[] nonce) {
        if (key.length != KEY_LENGTH) {
            throw new IllegalArgumentException("XChaCha20 needs a 32-byte key");
        }
        int[] state = new int[16];
        state[0] = 0x61707865;
        state[1] = 0x3320646e;
        state[2] = 0x79622d32;
        state[3] = 0x6b206574;
        Pack.littleEndianToInt(key, 0, state, 4, 8);
        Pack.littleEndianToInt(nonce, 0, state, 12, 4);
        int[] x = new int[16];
        ChaChaEngine.chachaCore(20, state, x);
        int[] words = {0, 1, 2, 3, 12, 13, 14, 15};
        byte[] out = new byte[32];
        for (int i = 0; i < words.length; i++) {
            int w = words[i];
            Pack.intToLittleEndian(x[w] - state[w], out, i * 4);
        }
        Arrays.fill(x, 0);
        Arrays.fill(state, 0);
        return out;
    }
}
