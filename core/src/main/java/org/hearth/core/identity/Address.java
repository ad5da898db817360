package org.hearth.core.identity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import org.bouncycastle.crypto.digests.SHA3Digest;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.crypto.CryptoException;
import org.hearth.core.crypto.Ed25519;

/**
 * A node's address: the Tor v3 onion form of its Ed25519 identity key (rend-spec-v3 §6):
 * {@code base32(pub ‖ SHA3-256(".onion checksum" ‖ pub ‖ 0x03)[:2] ‖ 0x03)}, 56 lowercase characters.
 * An instance is always valid; {@link #parse} checks length, alphabet, version and checksum.
 */
public final class Address implements Comparable<Address> {
    public static final int LENGTH = 56;
    private static final byte VERSION = 3;
    private static final byte[] CHECKSUM_PREFIX = ".onion checksum".getBytes(StandardCharsets.US_ASCII);
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

    private final Bytes publicKey;
    /**
     * The onion form, computed on first use: a group state names up to a thousand members by key, and their
     * checksums (SHA3) and base32 text are rarely needed. A benign race, like {@link String#hashCode}: every
     * thread computes the same immutable string.
     */
    private String text;

    private Address(Bytes publicKey, String text) {
        this.publicKey = publicKey;
        this.text = text;
    }

    public static Address of(Bytes publicKey) {
        if (publicKey.length() != Ed25519.PUBLIC_KEY_LENGTH) {
            throw new IllegalArgumentException("identity key must be 32 bytes");
        }
        return new Address(publicKey, null);
    }

    private static String encode(Bytes publicKey) {
        byte[] raw = new byte[35];
        publicKey.copyTo(raw, 0);
        byte[] sum = checksum(publicKey.toByteArray());
        raw[32] = sum[0];
        raw[33] = sum[1];
        raw[34] = VERSION;
        return base32(raw);
    }

    /** Parses an address, with or without a trailing {@code .onion}; throws with a reason when it is invalid. */
    public static Address parse(String input) throws InvalidAddressException {
        if (input == null) {
            throw new InvalidAddressException("address is missing");
        }
        String s = input.trim().toLowerCase(Locale.ROOT);
        if (s.endsWith(".onion")) {
            s = s.substring(0, s.length() - ".onion".length());
        }
        if (s.length() != LENGTH) {
            throw new InvalidAddressException("an address has " + LENGTH + " characters, got " + s.length());
        }
        byte[] raw = unbase32(s);
        if (raw[34] != VERSION) {
            throw new InvalidAddressException("unsupported address version " + raw[34]);
        }
        byte[] pk = java.util.Arrays.copyOf(raw, 32);
        byte[] sum = checksum(pk);
        if (!MessageDigest.isEqual(new byte[] {sum[0], sum[1]}, new byte[] {raw[32], raw[33]})) {
            throw new InvalidAddressException("address checksum does not match (typo?)");
        }
        return new Address(Bytes.wrap(pk), s);
    }

    public Bytes publicKey() {
        return publicKey;
    }

    /** Verifies a labelled signature by this address's identity key; throws when it is invalid. */
    public void verify(String label, byte[] message, Bytes signature) throws CryptoException {
        Ed25519.verify(publicKey, label, message, signature);
    }

    public String text() {
        String t = text;
        if (t == null) {
            t = encode(publicKey);
            text = t;
        }
        return t;
    }

    /** For logs: enough to tell nodes apart in a test, not enough to identify one. */
    public String scrubbed() {
        return text().substring(0, 6) + "…";
    }

    private static byte[] checksum(byte[] pk) {
        SHA3Digest d = new SHA3Digest(256);
        d.update(CHECKSUM_PREFIX, 0, CHECKSUM_PREFIX.length);
        d.update(pk, 0, pk.length);
        d.update(VERSION);
        byte[] out = new byte[32];
        d.doFinal(out, 0);
        return out;
    }

    private static String base32(byte[] raw) {
        StringBuilder sb = new StringBuilder(LENGTH);
        int buffer = 0;
        int bits = 0;
        for (byte b : raw) {
            buffer = (buffer << 8) | (b & 0xFF);
            bits += 8;
            while (bits >= 5) {
                sb.append(ALPHABET.charAt((buffer >>> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        return sb.toString();
    }

    private static byte[] unbase32(String s) throws InvalidAddressException {
        byte[] out = new byte[35];
        int buffer = 0;
        int bits = 0;
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            int v = ALPHABET.indexOf(s.charAt(i));
            if (v < 0) {
                throw new InvalidAddressException("address contains '" + s.charAt(i) + "', not a base32 character");
            }
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8) {
                out[n++] = (byte) (buffer >>> (bits - 8));
                bits -= 8;
            }
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        // the text is a function of the key: equal keys, equal addresses
        return o instanceof Address a && a.publicKey.equals(publicKey);
    }

    @Override
    public int hashCode() {
        return publicKey.hashCode();
    }

    /** Orders by the text form (nodes that must agree on "the lower address" compare these). */
    @Override
    public int compareTo(Address o) {
        return text().compareTo(o.text());
    }

    @Override
    public String toString() {
        return text();
    }
}
