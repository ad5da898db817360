package org.hearth.core.crypto;

import java.io.Serial;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.IvParameterSpec;
import org.hearth.core.bytes.SecretBytes;

/**
 * RFC 8439 ChaCha20-Poly1305 from the JDK: SunJCE's {@code Cipher("ChaCha20-Poly1305")}, which HotSpot compiles
 * to vector code for the ChaCha20 block function and Poly1305 (several times BouncyCastle's pure-Java
 * {@code ChaCha20Poly1305} on this project's machines; docs/architecture.md, "Decisions"). The output is the same
 * {@code ciphertext ‖ tag}; the tests check it against BouncyCastle's and the Wycheproof vectors.
 *
 * <p>One {@link Cipher} per thread, initialised afresh for every call with that call's key and nonce. SunJCE
 * refuses to encrypt under the key and nonce of the instance's previous initialisation (its guard against nonce
 * reuse on one instance); Hearth never reuses a nonce with a key for different messages, but it may seal the
 * same message twice on purpose (both ends of a Noise channel rekey with the same key and nonce 2^64-1), so on
 * that refusal the thread gets a new instance.
 *
 * <p>Key copies: the key reaches the cipher through {@link RawKey}, which lends the caller's array (wiped by
 * the caller afterwards) instead of copying it as {@code SecretKeySpec} does, which could not be wiped. SunJCE
 * keeps its own copy of the last key (and its state and Poly1305 key) in the thread's instance until that
 * thread's next call, which zeroes and replaces it; that copy cannot be wiped from here.
 */
final class ChaCha20Poly1305Aead implements Aead {
    static final ChaCha20Poly1305Aead INSTANCE = new ChaCha20Poly1305Aead();
    static final int NONCE_LENGTH = 12;

    private static final String TRANSFORMATION = "ChaCha20-Poly1305";
    private static final String PROVIDER = "SunJCE";
    private static final ThreadLocal<Cipher> CIPHERS = ThreadLocal.withInitial(ChaCha20Poly1305Aead::newCipher);

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
        Cipher c = init(Cipher.ENCRYPT_MODE, key, nonce, aad);
        try {
            return c.doFinal(plaintext);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("encryption cannot fail", e);
        }
    }

    static byte[] openRaw(byte[] key, byte[] nonce, byte[] aad, byte[] ciphertext) throws CryptoException {
        if (ciphertext.length < TAG_LENGTH) {
            throw new CryptoException("ciphertext shorter than its tag");
        }
        Cipher c = init(Cipher.DECRYPT_MODE, key, nonce, aad);
        try {
            // SunJCE buffers the ciphertext and checks the tag before it decrypts: on failure no plaintext exists.
            return c.doFinal(ciphertext);
        } catch (AEADBadTagException e) {
            throw new CryptoException("authentication failed");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("decryption failed other than by its tag", e);
        }
    }

    private static Cipher init(int mode, byte[] key, byte[] nonce, byte[] aad) {
        if (key.length != KEY_LENGTH || nonce.length != NONCE_LENGTH) {
            throw new IllegalArgumentException("ChaCha20-Poly1305 needs a 32-byte key and a 12-byte nonce");
        }
        RawKey k = new RawKey(key);
        IvParameterSpec iv = new IvParameterSpec(nonce);
        Cipher c = CIPHERS.get();
        try {
            try {
                c.init(mode, k, iv);
            } catch (InvalidKeyException sameKeyAndNonce) {
                // The only InvalidKeyException left for a 32-byte raw key: encryption under the previous call's
                // key and nonce. A fresh instance has no previous call.
                c = newCipher();
                CIPHERS.set(c);
                c.init(mode, k, iv);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 refused a 32-byte key and a 12-byte nonce", e);
        }
        c.updateAAD(aad);
        return c;
    }

    private static Cipher newCipher() {
        try {
            return Cipher.getInstance(TRANSFORMATION, PROVIDER);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no SunJCE ChaCha20-Poly1305 (OpenJDK has since 11)", e);
        }
    }

    /**
     * A raw ChaCha20 key that lends the caller's array rather than copying it: SunJCE takes its own copy through
     * {@link #getEncoded()}, and the caller wipes the array when the call returns.
     */
    private static final class RawKey implements SecretKey {
        @Serial
        private static final long serialVersionUID = 1L;

        /** Lent, not owned: never serialised or kept beyond the call (transient, so a copy could not leak). */
        private final transient byte[] bytes;

        RawKey(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public String getAlgorithm() {
            return "ChaCha20";
        }

        @Override
        public String getFormat() {
            return "RAW";
        }

        @Override
        public byte[] getEncoded() {
            return bytes.clone();
        }

        @Override
        public String toString() {
            return "RawKey[ChaCha20]";
        }
    }
}
