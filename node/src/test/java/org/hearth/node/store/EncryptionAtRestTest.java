package org.hearth.node.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncryptionAtRestTest {
    private static final String MARKER = "hearth-plaintext-marker-7f3a";
    private static final byte[] SQLITE_HEADER = "SQLite format 3".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    private static void writeMarker(Database db) {
        db.write(tx -> tx.update("INSERT INTO contacts(address, name, kind, status, created_at) VALUES (?, ?, ?, ?, ?)",
                "addr", MARKER, "person", "accepted", 1L));
    }

    private static Optional<String> readMarker(Database db) {
        return db.read(tx -> tx.queryOne("SELECT name FROM contacts WHERE address = 'addr'", r -> r.getString(1)));
    }

    private void assertNoPlaintext(Path file) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        assertThat(bytes).as(file.getFileName().toString()).isNotEmpty();
        assertThat(TestStores.contains(bytes, MARKER.getBytes(StandardCharsets.UTF_8)))
                .as("marker in " + file.getFileName()).isFalse();
        assertThat(TestStores.contains(bytes, SQLITE_HEADER)).as("SQLite header in " + file.getFileName()).isFalse();
    }

    @Test
    void files_whileOpenAndAfterClose_holdNoPlaintext() throws Exception {
        Path dbFile = dir.resolve(SqliteDatabase.DATABASE_FILE);
        Path wal = dir.resolve(SqliteDatabase.DATABASE_FILE + "-wal");
        try (Database db = TestStores.open(dir)) {
            writeMarker(db);
            assertThat(readMarker(db)).contains(MARKER);

            assertThat(wal).exists(); // the committed row lives in the WAL until a checkpoint
            assertNoPlaintext(dbFile);
            assertNoPlaintext(wal);
        }
        assertNoPlaintext(dbFile); // checkpointed into the main file on close
        assertNoPlaintext(dir.resolve(KeyFile.NAME));
        assertThat(TestStores.contains(Files.readAllBytes(dir.resolve(KeyFile.NAME)),
                TestStores.PASSPHRASE.getBytes(StandardCharsets.UTF_8))).isFalse();
    }

    @Test
    void plainJdbc_withoutKey_cannotReadTheStore() throws Exception {
        try (Database db = TestStores.open(dir)) {
            writeMarker(db);
        }
        Map<String, String> before = TestStores.snapshot(dir);

        assertThatThrownBy(() -> {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteDatabase.DATABASE_FILE));
                    Statement s = c.createStatement()) {
                s.executeQuery("SELECT count(*) FROM sqlite_master").close();
            }
        }).isInstanceOf(SQLException.class).hasMessageContaining("SQLITE_NOTADB");
        assertThat(TestStores.snapshot(dir)).isEqualTo(before);
    }

    @Test
    void open_wrongPassphrase_throwsAndLeavesFilesUntouched() throws Exception {
        try (Database db = TestStores.open(dir)) {
            writeMarker(db);
        }
        Map<String, String> before = TestStores.snapshot(dir);

        assertThatThrownBy(() -> TestStores.open(dir, TestStores.WRONG_PASSPHRASE))
                .isInstanceOf(WrongPassphraseException.class)
                .hasMessage("wrong passphrase for this store");

        assertThat(TestStores.snapshot(dir)).isEqualTo(before);
        try (Database db = TestStores.open(dir)) {
            assertThat(readMarker(db)).contains(MARKER);
        }
    }

    @Test
    void open_wrongPassphraseAfterCrash_leavesWalIntactAndRightPassphraseRecovers(@TempDir Path crashed)
            throws Exception {
        try (Database db = TestStores.open(dir)) {
            writeMarker(db);
            // A copy taken while open is what a power cut would leave: the acknowledged row only in the WAL.
            for (String name : new String[] {SqliteDatabase.DATABASE_FILE, SqliteDatabase.DATABASE_FILE + "-wal",
                    KeyFile.NAME}) {
                Files.copy(dir.resolve(name), crashed.resolve(name));
            }
        }
        Map<String, String> before = TestStores.snapshot(crashed);

        assertThatThrownBy(() -> TestStores.open(crashed, TestStores.WRONG_PASSPHRASE))
                .isInstanceOf(WrongPassphraseException.class);

        // The -shm wal-index may appear: it is a cache rebuilt from the WAL, not data.
        Map<String, String> after = TestStores.snapshot(crashed);
        after.remove(SqliteDatabase.DATABASE_FILE + "-shm");
        assertThat(after).isEqualTo(before);
        try (Database db = TestStores.open(crashed)) {
            assertThat(readMarker(db)).contains(MARKER);
        }
    }

    @Test
    void open_sameSaltDifferentPassphrase_isRejected() throws Exception {
        TestStores.open(dir).close();

        assertThatThrownBy(() -> TestStores.open(dir, "")).isInstanceOf(WrongPassphraseException.class);
    }
}
