package org.hearth.core.bytes;

import java.util.Arrays;
import java.util.HexFormat;

/** An immutable byte string that compares by content (records holding {@code byte[]} compare by reference). */
public final class Bytes implements Comparable<Bytes> {
    private static final HexFormat HEX = HexFormat.of();
    public static final Bytes EMPTY = new Bytes(new byte[0]);

    private final byte[] data;

    private Bytes(byte[] data) {
        this.data = data;
    }

    public static Bytes copyOf(byte[] data) {
        return new Bytes(data.clone());
    }

    public static Bytes copyOf(byte[] data, int offset, int length) {
        return new Bytes(Arrays.copyOfRange(data, offset, offset + length));
    }

    public static Bytes fromHex(String hex) {
        return new Bytes(HEX.parseHex(hex));
    }

    /** Takes ownership of {@code data}; the caller must not modify it afterwards. */
    public static Bytes wrap(byte[] data) {
        return new Bytes(data);
    }

    public byte[] toByteArray() {
        return data.clone();
    }

    public int length() {
        return data.length;
    }

    public byte get(int index) {
        return data[index];
    }

    public String hex() {
        return HEX.formatHex(data);
    }

    /** Writes the bytes into {@code target} at {@code offset}. */
    public void copyTo(byte[] target, int offset) {
        System.arraycopy(data, 0, target, offset, data.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes other && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    @Override
    public int compareTo(Bytes o) {
        return Arrays.compareUnsigned(data, o.data);
    }

    @Override
    public String toString() {
        return data.length <= 8 ? hex() : HEX.formatHex(data, 0, 8) + "…(" + data.length + ")";
    }
}
