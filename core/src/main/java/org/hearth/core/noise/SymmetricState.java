package org.hearth.core.noise;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.crypto.CryptoException;
import org.hearth.core.crypto.Hash;
import org.hearth.core.crypto.Kdf;

/**
 * Noise §5.2 SymmetricState with SHA-256: the chaining key {@code ck}, the handshake hash {@code h} and the
 * handshake's CipherState. Package-private: only {@link HandshakeState} drives it.
 */
final class SymmetricState {
    private static final byte[] EMPTY = new byte[0];

    private byte[] ck;
    private byte[] h;
    private final CipherState cipher = new CipherState();

    SymmetricState(String protocolName) {
        byte[] name = protocolName.getBytes(StandardCharsets.US_ASCII);
        // A name of at most HASHLEN bytes is zero-padded, a longer one hashed.
        h = name.length <= Noise.HASH_LENGTH ? Arrays.copyOf(name, Noise.HASH_LENGTH) : Hash.sha256(name);
        ck = h.clone();
    }

    /** §5.2 MixKey: derives a new chaining key and a handshake cipher key from DH output. */
    void mixKey(byte[] inputKeyMaterial) {
        byte[][] out = hkdf2(inputKeyMaterial);
        Arrays.fill(ck, (byte) 0);
        ck = out[0];
        cipher.initializeKey(out[1]);
    }

    void mixHash(byte[] data) {
        byte[] joined = new byte[h.length + data.length];
        System.arraycopy(h, 0, joined, 0, h.length);
        System.arraycopy(data, 0, joined, h.length, data.length);
        h = Hash.sha256(joined);
    }

    boolean hasKey() {
        return cipher.hasKey();
    }

    /** §5.2 EncryptAndHash: the ciphertext (or the plaintext, before any key) is bound into {@code h}. */
    byte[] encryptAndHash(byte[] plaintext) {
        byte[] ciphertext = cipher.encrypt(h, plaintext);
        mixHash(ciphertext);
        return ciphertext;
    }

    byte[] decryptAndHash(byte[] ciphertext) throws CryptoException {
        byte[] plaintext = cipher.decrypt(h, ciphertext);
        mixHash(ciphertext);
        return plaintext;
    }

    Bytes handshakeHash() {
        return Bytes.copyOf(h);
    }

    /** §5.2 Split: the initiator-to-responder and responder-to-initiator transport ciphers, in that order. */
    CipherState[] split() {
        byte[][] out = hkdf2(EMPTY);
        return new CipherState[] {CipherState.keyed(out[0]), CipherState.keyed(out[1])};
    }

    /** Wipes the chaining key and the handshake cipher; {@code h} is public and stays readable. */
    void destroy() {
        Arrays.fill(ck, (byte) 0);
        cipher.destroy();
    }

    /**
     * §4 HKDF with two outputs. Noise's HKDF(ck, ikm) is RFC 5869 HKDF with salt = ck and empty info, so
     * the existing HKDF is used rather than spelling out the HMAC chain.
     */
    private byte[][] hkdf2(byte[] inputKeyMaterial) {
        byte[] both = Kdf.hkdf(inputKeyMaterial, ck, EMPTY, 2 * Noise.HASH_LENGTH);
        byte[] first = Arrays.copyOfRange(both, 0, Noise.HASH_LENGTH);
        byte[] second = Arrays.copyOfRange(both, Noise.HASH_LENGTH, 2 * Noise.HASH_LENGTH);
        Arrays.fill(both, (byte) 0);
        return new byte[][] {first, second};
    }
}
