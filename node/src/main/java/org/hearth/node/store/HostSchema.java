package org.hearth.node.store;

import java.util.List;

/** Schema steps for the host role's tables after the first (migration 2); appended to {@link Schema#MIGRATIONS}. */
final class HostSchema {
    /**
     * {@code host_envelopes} without the {@code UNIQUE} index on its random 32-byte id: a non-unique index on the
     * id's first 8 bytes ({@link IdPrefix}) takes its place, and the host decides "already stored?" by comparing
     * the whole id among the rows with that prefix, in the statement that inserts (HostStore). SQLite cannot drop
     * a column's UNIQUE constraint, so the table is rebuilt with its rows and seqs as they are; the AUTOINCREMENT
     * counter is carried over, so a seq deleted before the step is not reused after it (fetch cursors are seqs).
     */
    static final Migration ID_PREFIX = new Migration(5, List.of(
            "CREATE TABLE host_envelopes_v5(seq INTEGER PRIMARY KEY AUTOINCREMENT, id BLOB NOT NULL,"
                    + " id_prefix INTEGER NOT NULL, tag BLOB NOT NULL, envelope BLOB NOT NULL,"
                    + " received_at INTEGER NOT NULL)",
            "INSERT INTO host_envelopes_v5(seq, id, id_prefix, tag, envelope, received_at)"
                    + " SELECT seq, id, " + IdPrefix.sqlOf("id") + ", tag, envelope, received_at FROM host_envelopes"
                    + " ORDER BY seq",
            "DELETE FROM sqlite_sequence WHERE name = 'host_envelopes_v5'",
            "INSERT INTO sqlite_sequence(name, seq) SELECT 'host_envelopes_v5', seq FROM sqlite_sequence"
                    + " WHERE name = 'host_envelopes'",
            "DROP TABLE host_envelopes",
            "ALTER TABLE host_envelopes_v5 RENAME TO host_envelopes",
            "CREATE INDEX host_envelopes_by_tag ON host_envelopes(tag, seq)",
            "CREATE INDEX host_envelopes_by_id_prefix ON host_envelopes(id_prefix)"));

    private HostSchema() {
    }
}
