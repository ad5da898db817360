package org.hearth.core.noise;

/** Constants of {@code Noise_XX_25519_ChaChaPoly_SHA256} (Noise spec rev 34). */
public final class Noise {
    /** Exactly 32 bytes, so InitializeSymmetric uses it as {@code h} without hashing (§5.2). */
    public static final String PROTOCOL_NAME = "Noise_XX_25519_ChaChaPoly_SHA256";
    /** §3: every Noise message, handshake or transport, is at most 65535 bytes. */
    public static final int MAX_MESSAGE_LENGTH = 65535;
    /** ChaChaPoly's authentication tag. */
    public static final int TAG_LENGTH = 16;
    /** The largest plaintext that still fits one transport message. */
    public static final int MAX_PLAINTEXT_LENGTH = MAX_MESSAGE_LENGTH - TAG_LENGTH;
    /** X25519 public keys and shared secrets. */
    static final int DH_LENGTH = 32;
    /** SHA-256. */
    static final int HASH_LENGTH = 32;

    private Noise() {
    }
}
