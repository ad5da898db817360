package org.hearth.core.noise;

import java.util.Arrays;
import org.hearth.core.bytes.SecretBytes;
import org.hearth.core.crypto.Aead;
import org.hearth.core.crypto.CryptoException;

/**
 * Noise §5.1 CipherState with ChaChaPoly: a key and a 64-bit message counter used as the nonce. After the
 * handshake, one instance encrypts (or decrypts) one direction of a channel; messages must be decrypted in
 * the order they were encrypted, so a reordered, replayed or dropped message fails to decrypt.
 *
 * <p>Not thread-safe: a channel serialises its sends and its receives.
 */
public final class CipherState {
    /** Noise reserves nonce 2^64-1 (for {@link #rekey()}); as a signed long it is -1. */
    private static final long RESERVED_NONCE = -1L;
    private static final Aead AEAD = Aead.chacha20Poly1305();

    private SecretBytes key;
    private long nonce;
    private boolean destroyed;

    /** An empty CipherState (no key): during the first handshake messages, "encryption" passes through. */
    CipherState() {
    }

    static CipherState keyed(byte[] key) {
        CipherState c = new CipherState();
        c.initializeKey(key);
        return c;
    }

    /** §5.1 InitializeKey: takes ownership of {@code newKey} and resets the nonce. */
    void initializeKey(byte[] newKey) {
        if (newKey.length != Aead.KEY_LENGTH) {
            throw new IllegalArgumentException("ChaChaPoly key must be 32 bytes");
        }
        if (key != null) {
            key.destroy();
        }
        key = SecretBytes.adopt(newKey);
        nonce = 0;
    }

    boolean hasKey() {
        return key != null;
    }

    /**
     * Encrypts one message and advances the nonce. Without a key (only possible inside the handshake) the
     * plaintext is returned as is, as §5.1 EncryptWithAd specifies.
     */
    public byte[] encrypt(byte[] associatedData, byte[] plaintext) {
        checkUsable();
        if (key == null) {
            return plaintext.clone();
        }
        if (plaintext.length > Noise.MAX_PLAINTEXT_LENGTH) {
            throw new IllegalArgumentException("plaintext exceeds Noise's " + Noise.MAX_MESSAGE_LENGTH
                    + "-byte message limit");
        }
        byte[] out = AEAD.seal(key, nonceBytes(nonce), associatedData, plaintext);
        nonce++;
        return out;
    }

    /**
     * Decrypts the next message and advances the nonce. On failure the nonce is not advanced (§5.1), so one
     * forged message does not desynchronise the channel.
     */
    public byte[] decrypt(byte[] associatedData, byte[] ciphertext) throws CryptoException {
        checkUsable();
        if (key == null) {
            return ciphertext.clone();
        }
        if (ciphertext.length > Noise.MAX_MESSAGE_LENGTH) {
            throw new CryptoException("message exceeds Noise's " + Noise.MAX_MESSAGE_LENGTH + "-byte limit");
        }
        byte[] out;
        try {
            out = AEAD.open(key, nonceBytes(nonce), associatedData, ciphertext);
        } catch (CryptoException e) {
            throw new CryptoException("decryption failed", e);
        }
        nonce++;
        return out;
    }

    /**
     * §11.3 Rekey: replaces the key with {@code ENCRYPT(k, 2^64-1, "", zeros)[0..32]} without resetting the
     * nonce. Both ends must rekey at the same point in the message stream.
     */
    public void rekey() {
        checkUsable();
        if (key == null) {
            throw new IllegalStateException("no key to rekey");
        }
        byte[] sealed = AEAD.seal(key, nonceBytes(RESERVED_NONCE), new byte[0], new byte[Aead.KEY_LENGTH]);
        byte[] next = Arrays.copyOf(sealed, Aead.KEY_LENGTH);
        Arrays.fill(sealed, (byte) 0);
        key.destroy();
        key = SecretBytes.adopt(next);
    }

    /** The number of messages processed so far (the next nonce). */
    public long nonce() {
        return nonce;
    }

    /** §5.1 SetNonce; for tests of the counter limit only. */
    void setNonce(long n) {
        nonce = n;
    }

    /** Wipes the key; any later use throws. */
    public void destroy() {
        destroyed = true;
        if (key != null) {
            key.destroy();
        }
    }

    public boolean isDestroyed() {
        return destroyed;
    }

    private void checkUsable() {
        if (destroyed) {
            // Never fall back to the keyless pass-through once the key is gone.
            throw new IllegalStateException("cipher state was destroyed");
        }
        if (nonce == RESERVED_NONCE) {
            throw new IllegalStateException("nonce space exhausted; start a new session");
        }
    }

    /** ChaChaPoly nonce (§12.3): 32 zero bits, then the counter as 64-bit little-endian. */
    private static byte[] nonceBytes(long n) {
        byte[] out = new byte[12];
        for (int i = 0; i < 8; i++) {
            out[4 + i] = (byte) (n >>> (8 * i));
        }
        return out;
    }

    @Override
    public String toString() {
        return "CipherState[nonce=" + Long.toUnsignedString(nonce) + (destroyed ? ", destroyed" : "") + "]";
    }
}
