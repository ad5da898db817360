package org.hearth.core.crypto;

import org.hearth.core.bytes.SecretBytes;

/** Authenticated encryption with associated data. {@link #open} throws on any tampering. */
public interface Aead {
    int KEY_LENGTH = 32;
    int TAG_LENGTH = 16;

    int nonceLength();

    byte[] seal(SecretBytes key, byte[] nonce, byte[] associatedData, byte[] plaintext);

    byte[] open(SecretBytes key, byte[] nonce, byte[] associatedData, byte[] ciphertext) throws CryptoException;

    /** ChaCha20-Poly1305 (RFC 8439), 96-bit nonce: for counters (Noise). */
    static Aead chacha20Poly1305() {
        return ChaCha20Poly1305Aead.INSTANCE;
    }

    /** XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha), 192-bit nonce: safe with random nonces. */
    static Aead xchacha20Poly1305() {
        return XChaCha20Poly1305Aead.INSTANCE;
    }
}
