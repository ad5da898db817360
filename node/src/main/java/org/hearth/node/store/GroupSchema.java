package org.hearth.node.store;

import java.util.List;

/** Schema step for managed groups (member and manager side); appended to {@link Schema#MIGRATIONS}. */
final class GroupSchema {
    static final Migration GROUPS = new Migration(3, List.of(
            "CREATE TABLE groups(id BLOB PRIMARY KEY, name TEXT NOT NULL, manager TEXT NOT NULL, role TEXT NOT NULL,"
                    + " status TEXT NOT NULL, permission TEXT NOT NULL, invite BLOB, state BLOB, head BLOB,"
                    + " epoch INTEGER NOT NULL DEFAULT -1, epoch_started_at INTEGER NOT NULL DEFAULT 0,"
                    + " messages_in_epoch INTEGER NOT NULL DEFAULT 0, pending BLOB,"
                    + " rotation_requested INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL)",
            "CREATE TABLE group_updates(group_id BLOB NOT NULL, epoch INTEGER NOT NULL, hash BLOB NOT NULL,"
                    + " signed BLOB NOT NULL, state BLOB NOT NULL, PRIMARY KEY(group_id, epoch))",
            "CREATE TABLE peer_hints(address TEXT PRIMARY KEY, hint TEXT NOT NULL)",
            "CREATE TABLE group_keys(group_id BLOB NOT NULL, epoch INTEGER NOT NULL, update_hash BLOB NOT NULL,"
                    + " key BLOB NOT NULL, tag BLOB NOT NULL, ended_at INTEGER, PRIMARY KEY(group_id, epoch))",
            "CREATE INDEX group_keys_by_tag ON group_keys(tag)",
            "CREATE TABLE group_cursors(group_id BLOB NOT NULL, host TEXT NOT NULL, epoch INTEGER NOT NULL,"
                    + " cursor INTEGER NOT NULL, PRIMARY KEY(group_id, host, epoch))",
            "CREATE TABLE group_messages(seq INTEGER PRIMARY KEY AUTOINCREMENT, id BLOB NOT NULL UNIQUE,"
                    + " group_id BLOB NOT NULL, epoch INTEGER NOT NULL, sender TEXT NOT NULL, text TEXT NOT NULL,"
                    + " sent_at INTEGER NOT NULL, received_at INTEGER NOT NULL)",
            "CREATE INDEX group_messages_by_group ON group_messages(group_id, seq)",
            "CREATE TABLE group_relays(seq INTEGER PRIMARY KEY AUTOINCREMENT, message_id BLOB NOT NULL,"
                    + " group_id BLOB NOT NULL, host TEXT NOT NULL, envelope BLOB NOT NULL, created_at INTEGER NOT NULL,"
                    + " UNIQUE(message_id, host))",
            "CREATE TABLE group_alarms(seq INTEGER PRIMARY KEY AUTOINCREMENT, group_id BLOB NOT NULL,"
                    + " kind TEXT NOT NULL, detail TEXT NOT NULL, at INTEGER NOT NULL)",
            "CREATE TABLE group_proofs(seq INTEGER PRIMARY KEY AUTOINCREMENT, group_id BLOB NOT NULL,"
                    + " epoch INTEGER NOT NULL, manager TEXT NOT NULL, first BLOB NOT NULL, second BLOB NOT NULL,"
                    + " at INTEGER NOT NULL)",
            "CREATE TABLE group_roster(group_id BLOB NOT NULL, member TEXT NOT NULL, added_epoch INTEGER NOT NULL,"
                    + " joined INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(group_id, member))"));

    /**
     * The log keeps an epoch's full state only now and then (GroupRepository.SNAPSHOT_EVERY); the other rows hold
     * the signed update alone, so {@code state} may be NULL. SQLite cannot relax a NOT NULL column in place: the
     * table is rebuilt with its rows (all of which hold a state) kept as they are.
     */
    static final Migration LOG_SNAPSHOTS = new Migration(4, List.of(
            "CREATE TABLE group_updates_v4(group_id BLOB NOT NULL, epoch INTEGER NOT NULL, hash BLOB NOT NULL,"
                    + " signed BLOB NOT NULL, state BLOB, PRIMARY KEY(group_id, epoch))",
            "INSERT INTO group_updates_v4(group_id, epoch, hash, signed, state)"
                    + " SELECT group_id, epoch, hash, signed, state FROM group_updates",
            "DROP TABLE group_updates",
            "ALTER TABLE group_updates_v4 RENAME TO group_updates"));

    /**
     * {@code group_messages} without the {@code UNIQUE} index on its random 32-byte id, as {@link
     * HostSchema#ID_PREFIX} does for the host's envelopes: a non-unique index on the id's first 8 bytes ({@link
     * IdPrefix}), and "stored once by id" decided by comparing the whole id among the rows with that prefix in the
     * inserting statement (GroupRepository). The table is rebuilt with its rows, seqs and AUTOINCREMENT counter.
     */
    static final Migration MESSAGE_ID_PREFIX = new Migration(6, List.of(
            "CREATE TABLE group_messages_v6(seq INTEGER PRIMARY KEY AUTOINCREMENT, id BLOB NOT NULL,"
                    + " id_prefix INTEGER NOT NULL, group_id BLOB NOT NULL, epoch INTEGER NOT NULL,"
                    + " sender TEXT NOT NULL, text TEXT NOT NULL, sent_at INTEGER NOT NULL,"
                    + " received_at INTEGER NOT NULL)",
            "INSERT INTO group_messages_v6(seq, id, id_prefix, group_id, epoch, sender, text, sent_at, received_at)"
                    + " SELECT seq, id, " + IdPrefix.sqlOf("id") + ", group_id, epoch, sender, text, sent_at,"
                    + " received_at FROM group_messages ORDER BY seq",
            "DELETE FROM sqlite_sequence WHERE name = 'group_messages_v6'",
            "INSERT INTO sqlite_sequence(name, seq) SELECT 'group_messages_v6', seq FROM sqlite_sequence"
                    + " WHERE name = 'group_messages'",
            "DROP TABLE group_messages",
            "ALTER TABLE group_messages_v6 RENAME TO group_messages",
            "CREATE INDEX group_messages_by_group ON group_messages(group_id, seq)",
            "CREATE INDEX group_messages_by_id_prefix ON group_messages(id_prefix)"));

    private GroupSchema() {
    }
}
