package org.hearth.node.store;

import org.hearth.core.bytes.Bytes;

/**
 * The first 8 bytes of a 32-byte id as a signed big-endian integer: the key of the small, non-unique indexes that
 * stand in for a {@code UNIQUE} index on the whole id. An index entry of 8 bytes instead of 32 packs ~2.5 times as
 * many entries into a page, so the random inserts of a commit dirty (and write to the WAL) fewer index pages.
 * Ids are SHA-256 outputs, so rows sharing a prefix are rare (a chosen collision costs ~2^64 hashes); whether an id
 * is stored is still decided by comparing the whole id among the rows with its prefix.
 */
public final class IdPrefix {
    static final int BYTES = 8;

    private IdPrefix() {
    }

    /** The prefix of {@code id}; an id shorter than 8 bytes counts as padded with zeros (ids here are 32 bytes). */
    public static long of(Bytes id) {
        long v = 0;
        for (int i = 0; i < BYTES; i++) {
            v = v << 8 | (i < id.length() ? id.get(i) & 0xff : 0);
        }
        return v;
    }

    /**
     * The same value computed in SQL from a BLOB column, for migrations that backfill it: SQLite has no function
     * from a blob to an integer, so each of the 16 hex digits of the prefix is looked up and shifted into place
     * (the shift by 60 wraps into the sign bit, as in two's complement).
     */
    static String sqlOf(String column) {
        StringBuilder sql = new StringBuilder("(");
        for (int nibble = 0; nibble < 2 * BYTES; nibble++) {
            if (nibble > 0) {
                sql.append(" | ");
            }
            sql.append("((instr('0123456789ABCDEF', substr(hex(").append(column).append("), ").append(nibble + 1)
                    .append(", 1)) - 1) << ").append(60 - 4 * nibble).append(')');
        }
        return sql.append(')').toString();
    }
}
