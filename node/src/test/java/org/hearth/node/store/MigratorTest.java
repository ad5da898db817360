package org.hearth.node.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigratorTest {
    @TempDir
    Path dir;

    private static int userVersion(Database db) {
        return db.read(tx -> Migrator.userVersion(tx.connection()));
    }

    private static int count(Database db, String sql) {
        return db.read(tx -> tx.queryOne(sql, r -> r.getInt(1)).orElseThrow());
    }

    private static List<Migration> withStep(Migration step) {
        List<Migration> all = new ArrayList<>(Schema.MIGRATIONS);
        all.add(step);
        return all;
    }

    @Test
    void open_newStore_appliesAllMigrationsAndSetsUserVersion() throws Exception {
        try (Database db = TestStores.open(dir)) {
            assertThat(userVersion(db)).isEqualTo(Schema.MIGRATIONS.size());
            List<String> objects = db.read(tx -> tx.query(
                    "SELECT name FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%'",
                    r -> r.getString(1)));
            assertThat(objects).containsExactlyInAnyOrder("settings", "contacts", "messages",
                            "messages_by_contact", "outbox", "outbox_by_peer", "host_envelopes", "host_envelopes_by_tag",
                            "host_envelopes_by_id_prefix",
                            "groups", "group_updates", "peer_hints", "group_keys", "group_keys_by_tag", "group_cursors",
                            "group_messages", "group_messages_by_group", "group_messages_by_id_prefix", "group_relays", "group_alarms", "group_proofs",
                            "group_roster");
        }
    }

    @Test
    void open_storeBeforeLogSnapshots_keepsItsLogRowsAndAllowsRowsWithoutState() throws Exception {
        int before = GroupSchema.LOG_SNAPSHOTS.version() - 1;
        TestStores.openWith(dir, Schema.MIGRATIONS.subList(0, before)).close();
        try (Database db = TestStores.openWith(dir, Schema.MIGRATIONS.subList(0, before))) {
            db.write(tx -> tx.update("INSERT INTO group_updates(group_id, epoch, hash, signed, state)"
                    + " VALUES (x'01', 0, x'02', x'03', x'04')"));
            assertThatThrownBy(() -> db.write(tx -> tx.update("INSERT INTO group_updates(group_id, epoch, hash,"
                    + " signed, state) VALUES (x'01', 1, x'02', x'03', NULL)"))).rootCause()
                    .hasMessageContaining("NOT NULL");
        }
        try (Database db = TestStores.open(dir)) {
            assertThat(userVersion(db)).isEqualTo(Schema.MIGRATIONS.size());
            java.util.Optional<String> row = db.read(tx -> tx.queryOne("SELECT hex(group_id) || hex(hash) || hex(signed)"
                    + " || hex(state) FROM group_updates WHERE epoch = 0", r -> r.getString(1)));
            assertThat(row).hasValue("01020304");
            db.write(tx -> tx.update("INSERT INTO group_updates(group_id, epoch, hash, signed, state)"
                    + " VALUES (x'01', 1, x'02', x'03', NULL)"));
            assertThat(count(db, "SELECT count(*) FROM group_updates")).isEqualTo(2);
        }
    }

    @Test
    void open_storeBeforeIdPrefix_keepsEnvelopesAndSeqsAndIndexesTheirPrefixes() throws Exception {
        int before = HostSchema.ID_PREFIX.version() - 1;
        List<byte[]> ids = new ArrayList<>();
        java.util.Random random = new java.util.Random(7);
        try (Database db = TestStores.openWith(dir, Schema.MIGRATIONS.subList(0, before))) {
            for (int i = 1; i <= 4; i++) {
                byte[] id = new byte[32];
                random.nextBytes(id);
                id[0] = (byte) (i * 0x50); // both signs of the prefix
                ids.add(id);
                db.write(tx -> tx.update("INSERT INTO host_envelopes(id, tag, envelope, received_at)"
                        + " VALUES (?, x'aa', ?, ?)", id, new byte[] {(byte) ids.size()}, 1000L + ids.size()));
            }
            db.write(tx -> tx.update("DELETE FROM host_envelopes WHERE seq = 4")); // the counter stays at 4
        }
        try (Database db = TestStores.open(dir)) {
            assertThat(userVersion(db)).isEqualTo(Schema.MIGRATIONS.size());
            List<String> rows = db.read(tx -> tx.query("SELECT seq, hex(id), id_prefix, hex(tag), hex(envelope),"
                    + " received_at FROM host_envelopes ORDER BY seq", r -> r.getLong(1) + " " + r.getString(2) + " "
                    + r.getLong(3) + " " + r.getString(4) + " " + r.getString(5) + " " + r.getLong(6)));
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                org.hearth.core.bytes.Bytes id = org.hearth.core.bytes.Bytes.wrap(ids.get(i));
                expected.add((i + 1) + " " + id.hex().toUpperCase() + " " + IdPrefix.of(id) + " AA 0" + (i + 1) + " "
                        + (1001 + i));
            }
            assertThat(rows).containsExactlyElementsOf(expected);

            // the whole id is no longer unique by itself (the host checks it), and seqs go on after the deleted 4
            db.write(tx -> tx.update("INSERT INTO host_envelopes(id, id_prefix, tag, envelope, received_at)"
                    + " VALUES (?, 0, x'aa', x'05', 0)", ids.get(0)));
            assertThat(count(db, "SELECT max(seq) FROM host_envelopes")).isEqualTo(5);
            String plan = db.read(tx -> String.join(" ", tx.query("EXPLAIN QUERY PLAN SELECT 1 FROM host_envelopes"
                    + " WHERE id_prefix = ? AND id = ?", r -> r.getString(4), IdPrefix.of(
                    org.hearth.core.bytes.Bytes.wrap(ids.get(1))), ids.get(1))));
            assertThat(plan).contains("host_envelopes_by_id_prefix");
            assertThat(count(db, "SELECT count(*) FROM sqlite_master WHERE tbl_name = 'host_envelopes'"
                    + " AND name LIKE 'sqlite_autoindex%'")).isZero();
        }
    }

    @Test
    void open_storeBeforeMessageIdPrefix_keepsMessagesAndSeqsAndIndexesTheirPrefixes() throws Exception {
        int before = GroupSchema.MESSAGE_ID_PREFIX.version() - 1;
        List<byte[]> ids = new ArrayList<>();
        java.util.Random random = new java.util.Random(11);
        try (Database db = TestStores.openWith(dir, Schema.MIGRATIONS.subList(0, before))) {
            for (int i = 1; i <= 3; i++) {
                byte[] id = new byte[32];
                random.nextBytes(id);
                id[0] = (byte) (i * 0x60);
                ids.add(id);
                int n = i;
                db.write(tx -> tx.update("INSERT INTO group_messages(id, group_id, epoch, sender, text, sent_at,"
                        + " received_at) VALUES (?, x'01', ?, 's', ?, ?, ?)", id, n, "text " + n, 10L + n, 20L + n));
            }
            db.write(tx -> tx.update("DELETE FROM group_messages WHERE seq = 3"));
        }
        try (Database db = TestStores.open(dir)) {
            assertThat(userVersion(db)).isEqualTo(Schema.MIGRATIONS.size());
            List<String> rows = db.read(tx -> tx.query("SELECT seq, hex(id), id_prefix, hex(group_id), epoch, sender,"
                    + " text, sent_at, received_at FROM group_messages ORDER BY seq", r -> r.getLong(1) + " "
                    + r.getString(2) + " " + r.getLong(3) + " " + r.getString(4) + " " + r.getLong(5) + " "
                    + r.getString(6) + " " + r.getString(7) + " " + r.getLong(8) + " " + r.getLong(9)));
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                org.hearth.core.bytes.Bytes id = org.hearth.core.bytes.Bytes.wrap(ids.get(i));
                expected.add((i + 1) + " " + id.hex().toUpperCase() + " " + IdPrefix.of(id) + " 01 " + (i + 1)
                        + " s text " + (i + 1) + " " + (11 + i) + " " + (21 + i));
            }
            assertThat(rows).containsExactlyElementsOf(expected);
            db.write(tx -> tx.update("INSERT INTO group_messages(id, id_prefix, group_id, epoch, sender, text,"
                    + " sent_at, received_at) VALUES (x'05', 0, x'01', 0, 's', 't', 0, 0)"));
            assertThat(count(db, "SELECT max(seq) FROM group_messages")).isEqualTo(4);
            assertThat(count(db, "SELECT count(*) FROM sqlite_master WHERE tbl_name = 'group_messages'"
                    + " AND name LIKE 'sqlite_autoindex%'")).isZero();
        }
    }

    @Test
    void open_newStepAdded_appliesItExactlyOnce() throws Exception {
        TestStores.open(dir).close();
        Migration v2 = new Migration(Schema.MIGRATIONS.size() + 1,
                List.of("INSERT INTO settings(key, value) VALUES ('migrated', x'01')"));

        TestStores.openWith(dir, withStep(v2)).close();
        try (Database db = TestStores.openWith(dir, withStep(v2))) {
            assertThat(userVersion(db)).isEqualTo(v2.version());
            assertThat(count(db, "SELECT count(*) FROM settings WHERE key = 'migrated'")).isEqualTo(1);
        }
    }

    @Test
    void open_stepFails_rollsItBackAndKeepsTheVersion() throws Exception {
        TestStores.open(dir).close();
        Migration broken = new Migration(Schema.MIGRATIONS.size() + 1, List.of(
                "INSERT INTO settings(key, value) VALUES ('half-done', x'01')",
                "INSERT INTO no_such_table VALUES (1)"));

        assertThatThrownBy(() -> TestStores.openWith(dir, withStep(broken)))
                .isInstanceOf(StoreException.class).hasMessageContaining("migration");

        try (Database db = TestStores.open(dir)) {
            assertThat(userVersion(db)).isEqualTo(Schema.MIGRATIONS.size());
            assertThat(count(db, "SELECT count(*) FROM settings")).isZero();
        }
    }

    @Test
    void open_storeNewerThanCode_isRefusedAndUntouched() throws Exception {
        try (Database db = TestStores.open(dir)) {
            db.write(tx -> tx.update("PRAGMA user_version = 99"));
        }
        Map<String, String> before = TestStores.snapshot(dir);

        assertThatThrownBy(() -> TestStores.open(dir))
                .isInstanceOfSatisfying(StoreVersionException.class, e -> {
                    assertThat(e.storeVersion()).isEqualTo(99);
                    assertThat(e.supportedVersion()).isEqualTo(Schema.MIGRATIONS.size());
                })
                .hasMessageContaining("newer");
        assertThat(TestStores.snapshot(dir)).isEqualTo(before);
    }

    @Test
    void open_newStoreFailsToMigrate_leavesNothingBehind() {
        Path home = dir.resolve("home");
        List<Migration> broken = List.of(new Migration(1, List.of("THIS IS NOT SQL")));

        assertThatThrownBy(() -> TestStores.openWith(home, broken)).isInstanceOf(StoreException.class);

        assertThat(Database.exists(home)).isFalse();
    }

    @Test
    void migrate_gapInVersions_isRejected() {
        List<Migration> gap = List.of(new Migration(1, List.of("SELECT 1")), new Migration(3, List.of("SELECT 1")));

        assertThatThrownBy(() -> TestStores.openWith(dir.resolve("gap"), gap))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
