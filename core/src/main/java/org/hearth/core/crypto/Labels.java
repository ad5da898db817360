package org.hearth.core.crypto;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Unambiguous encoding of a label and its parts for hashing, KDF and signing:
 * {@code u16be(len(label)) ‖ label ‖ (u32be(len(part)) ‖ part)*}. Every label names its purpose and version,
 * e.g. {@code "hearth/identity-binding/v1"}, so a signature or hash made for one purpose never verifies
 * for another.
 */
public final class Labels {
    private Labels() {
    }

    public static byte[] encode(String label, byte[]... parts) {
        byte[] l = label.getBytes(StandardCharsets.UTF_8);
        if (l.length == 0 || l.length > 0xFFFF) {
            throw new IllegalArgumentException("label length");
        }
        int size = 2 + l.length;
        for (byte[] p : parts) {
            size += 4 + p.length;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        out.write(l.length >>> 8);
        out.write(l.length);
        out.writeBytes(l);
        for (byte[] p : parts) {
            out.write(p.length >>> 24);
            out.write(p.length >>> 16);
            out.write(p.length >>> 8);
            out.write(p.length);
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
