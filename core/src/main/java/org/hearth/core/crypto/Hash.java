package org.hearth.core.crypto;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.hearth.core.bytes.Bytes;

/** Labelled SHA-256: {@code SHA-256(Labels.encode(label, parts))}. */
public final class Hash {
    public static final int LENGTH = 32;

    private Hash() {
    }

    public static Bytes labelled(String label, byte[]... parts) {
        return Bytes.wrap(sha256(Labels.encode(label, parts)));
    }

    /** Plain SHA-256, for constructions whose spec fixes the input (Noise, Wycheproof). */
    public static byte[] sha256(byte[] input) {
        SHA256Digest d = new SHA256Digest();
        d.update(input, 0, input.length);
        byte[] out = new byte[LENGTH];
        d.doFinal(out, 0);
        return out;
    }
}
