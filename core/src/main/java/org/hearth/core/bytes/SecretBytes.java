package org.hearth.core.bytes;

import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Key material. Copied in and out, compared in constant time, never printed, wiped by {@link #destroy()}.
 * Access is explicit: {@link #reveal()} returns a fresh copy that the caller should wipe when done.
 */
public final class SecretBytes {
    private final byte[] data;
    private volatile boolean destroyed;

    private SecretBytes(byte[] data) {
        this.data = data;
    }

    public static SecretBytes copyOf(byte[] data) {
        return new SecretBytes(data.clone());
    }

    /** Takes ownership of {@code data} (for freshly derived keys that nobody else holds). */
    public static SecretBytes adopt(byte[] data) {
        return new SecretBytes(data);
    }

    public byte[] reveal() {
        if (destroyed) {
            throw new IllegalStateException("secret was destroyed");
        }
        return data.clone();
    }

    public int length() {
        return data.length;
    }

    public boolean equalsConstantTime(SecretBytes other) {
        return MessageDigest.isEqual(data, other.data);
    }

    public void destroy() {
        destroyed = true;
        Arrays.fill(data, (byte) 0);
    }

    public boolean isDestroyed() {
        return destroyed;
    }

    /** Secrets are never printed. */
    @Override
    public String toString() {
        return "SecretBytes[" + data.length + " bytes, redacted]";
    }
}
