package org.hearth.core.group;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.hearth.core.bytes.Bytes;

/** Writer of the canonical (digest) encoding: big-endian integers, u16-length-prefixed UTF-8 strings. */
final class Canonical {
    private final ByteArrayOutputStream out;

    Canonical() {
        this(256);
    }

    /** {@code expected}: the size the encoding will probably have, so the buffer is not regrown on the way. */
    Canonical(int expected) {
        out = new ByteArrayOutputStream(expected);
    }

    Canonical u8(int v) {
        out.write(v);
        return this;
    }

    Canonical u32(long v) {
        for (int i = 3; i >= 0; i--) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    Canonical u64(long v) {
        for (int i = 7; i >= 0; i--) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    Canonical bytes(Bytes b) {
        out.writeBytes(b.toByteArray());
        return this;
    }

    Canonical str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(b.length >>> 8);
        out.write(b.length);
        out.writeBytes(b);
        return this;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
