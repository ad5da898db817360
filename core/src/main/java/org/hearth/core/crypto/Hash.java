package org.hearth.core.crypto;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.hearth.core.bytes.Bytes;

/**
 * Labelled SHA-256: {@code SHA-256(Labels.encode(label, parts))}. The digest is the JDK's (every Java platform must
 * provide SHA-256; OpenJDK's uses the CPU's SHA extensions where present, about 7 times BouncyCastle's speed on
 * this project's machines). Hashing states and messages is on the hot path of every re-key and catch-up
 * (docs/architecture.md, "Decisions"); the result is the same function, checked against FIPS 180 examples and
 * against BouncyCastle's SHA-256 in the tests.
 */
public final class Hash {
    public static final int LENGTH = 32;

    private Hash() {
    }

    public static Bytes labelled(String label, byte[]... parts) {
        return Bytes.wrap(sha256(Labels.encode(label, parts)));
    }

    /** Plain SHA-256, for constructions whose spec fixes the input (Noise, Wycheproof). */
    public static byte[] sha256(byte[] input) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(input);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }
}
