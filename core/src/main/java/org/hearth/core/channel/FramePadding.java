package org.hearth.core.channel;

import org.hearth.core.crypto.Aead;
import org.hearth.core.wire.MalformedMessageException;

/**
 * Transport frames are padded so that every Noise ciphertext on the wire has one of a few fixed sizes,
 * hiding message lengths. Plaintext inside a frame: {@code u16be(len) ‖ payload ‖ zeros}.
 */
public final class FramePadding {
    /** Ciphertext sizes on the wire (each ≤ Noise's 65535-byte message limit). */
    private static final int[] BUCKETS = {256, 1024, 4096, 16384, 65535};
    public static final int MAX_CIPHERTEXT = BUCKETS[BUCKETS.length - 1];
    public static final int MAX_PAYLOAD = MAX_CIPHERTEXT - Aead.TAG_LENGTH - 2;

    private FramePadding() {
    }

    /** Pads a payload to the plaintext size of the smallest bucket that fits. */
    public static byte[] pad(byte[] payload) {
        if (payload.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("frame payload of " + payload.length + " bytes exceeds " + MAX_PAYLOAD);
        }
        int needed = payload.length + 2 + Aead.TAG_LENGTH;
        int bucket = MAX_CIPHERTEXT;
        for (int b : BUCKETS) {
            if (b >= needed) {
                bucket = b;
                break;
            }
        }
        byte[] plain = new byte[bucket - Aead.TAG_LENGTH];
        plain[0] = (byte) (payload.length >>> 8);
        plain[1] = (byte) payload.length;
        System.arraycopy(payload, 0, plain, 2, payload.length);
        return plain;
    }

    public static byte[] unpad(byte[] plain) throws MalformedMessageException {
        if (!isBucketSize(plain.length + Aead.TAG_LENGTH)) {
            throw new MalformedMessageException("frame of unexpected size " + plain.length);
        }
        int len = ((plain[0] & 0xFF) << 8) | (plain[1] & 0xFF);
        if (len > plain.length - 2) {
            throw new MalformedMessageException("frame length field exceeds the frame");
        }
        for (int i = 2 + len; i < plain.length; i++) {
            if (plain[i] != 0) {
                throw new MalformedMessageException("frame padding is not zero");
            }
        }
        byte[] payload = new byte[len];
        System.arraycopy(plain, 2, payload, 0, len);
        return payload;
    }

    /** Whether a ciphertext length read off the wire is one a Hearth sender produces. */
    public static boolean isBucketSize(int ciphertextLength) {
        for (int b : BUCKETS) {
            if (b == ciphertextLength) {
                return true;
            }
        }
        return false;
    }
}
