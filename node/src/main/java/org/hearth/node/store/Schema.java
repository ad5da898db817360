package org.hearth.node.store;

import java.util.List;

/** The schema, as the ordered migrations that build it. Append new steps; never edit a released one. */
final class Schema {
    static final List<Migration> MIGRATIONS = List.of(
            new Migration(1, List.of(
                    "CREATE TABLE settings(key TEXT PRIMARY KEY, value BLOB NOT NULL)",
                    "CREATE TABLE contacts(address TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL,"
                            + " status TEXT NOT NULL, endpoint_hint TEXT, created_at INTEGER NOT NULL)",
                    "CREATE TABLE messages(seq INTEGER PRIMARY KEY AUTOINCREMENT, id BLOB NOT NULL UNIQUE,"
                            + " contact TEXT NOT NULL REFERENCES contacts(address), outgoing INTEGER NOT NULL,"
                            + " text TEXT NOT NULL, sent_at INTEGER NOT NULL, received_at INTEGER NOT NULL,"
                            + " delivered INTEGER NOT NULL DEFAULT 0)",
                    "CREATE INDEX messages_by_contact ON messages(contact, seq)",
                    "CREATE TABLE outbox(seq INTEGER PRIMARY KEY AUTOINCREMENT, id BLOB NOT NULL UNIQUE,"
                            + " peer TEXT NOT NULL, payload BLOB NOT NULL, created_at INTEGER NOT NULL)",
                    "CREATE INDEX outbox_by_peer ON outbox(peer, seq)")),
            // Host role (org.hearth.node.host): opaque envelopes filed by routing tag. AUTOINCREMENT so a seq is
            // never reused: fetch cursors are seqs, and a reused one would hide or repeat envelopes.
            new Migration(2, List.of(
                    "CREATE TABLE host_envelopes(seq INTEGER PRIMARY KEY AUTOINCREMENT, id BLOB NOT NULL UNIQUE,"
                            + " tag BLOB NOT NULL, envelope BLOB NOT NULL, received_at INTEGER NOT NULL)",
                    "CREATE INDEX host_envelopes_by_tag ON host_envelopes(tag, seq)")),
            GroupSchema.GROUPS,
            GroupSchema.LOG_SNAPSHOTS,
            HostSchema.ID_PREFIX,
            GroupSchema.MESSAGE_ID_PREFIX);

    private Schema() {
    }
}
