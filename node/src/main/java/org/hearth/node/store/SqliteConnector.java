package org.hearth.node.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import org.hearth.core.bytes.SecretBytes;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;
import org.sqlite.mc.SQLiteMCChacha20Config;
import org.sqlite.mc.SQLiteMCConfig;

/**
 * Opens the encrypted SQLite file: SQLite3MultipleCiphers with its ChaCha20-Poly1305 (sqleet) cipher, keyed
 * with the raw 32-byte key ({@code raw:<hex>}, so the driver's own PBKDF2 is bypassed: Argon2id has already
 * stretched the passphrase). The key travels in the connection properties because this driver build cannot
 * key a connection with {@code PRAGMA key} after it is open.
 */
final class SqliteConnector {
    static final int BUSY_TIMEOUT_MILLIS = 10_000;

    private SqliteConnector() {
    }

    /** Opens the store read-write, in WAL mode with full fsync on commit and foreign keys enforced. */
    static Connection open(Path file, SecretBytes key) throws SQLException {
        SQLiteMCConfig config = keyedConfig(key);
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        // FULL: in WAL mode every commit is fsynced, so an acknowledged write survives power loss.
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.enforceForeignKeys(true);
        return config.createConnection(url(file));
    }

    /**
     * Checks that {@code key} decrypts an existing store, on a read-only connection. This must come before any
     * read-write open: when a WAL is left over from a crash, closing a read-write connection that was opened
     * with the wrong key checkpoints the WAL through that key into the database and deletes it, destroying the
     * store. A read-only connection cannot checkpoint.
     *
     * @throws SQLException with SQLITE_NOTADB if the key is wrong
     */
    static void probe(Path file, SecretBytes key) throws SQLException {
        SQLiteMCConfig config = keyedConfig(key);
        config.setReadOnly(true);
        // The driver keys the connection and then reads sqlite_master, so a wrong key fails here.
        try (Connection c = config.createConnection(url(file)); Statement s = c.createStatement()) {
            s.executeQuery("SELECT count(*) FROM sqlite_master").close();
        }
    }

    private static SQLiteMCConfig keyedConfig(SecretBytes key) {
        byte[] raw = key.reveal();
        try {
            SQLiteMCConfig config = SQLiteMCChacha20Config.getDefault().withRawUnsaltedKey(raw).build();
            config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
            return config;
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    private static String url(Path file) {
        String path = file.toAbsolutePath().toString();
        if (path.indexOf('?') >= 0) {
            // The driver would read everything after '?' as connection parameters.
            throw new StoreException("store path must not contain '?'");
        }
        return "jdbc:sqlite:" + path;
    }

    /** SQLITE_NOTADB: page 1 does not decrypt (wrong key) or the file is not a database at all. */
    static boolean isNotADatabase(SQLException e) {
        return e instanceof SQLiteException s && s.getResultCode() == SQLiteErrorCode.SQLITE_NOTADB
                || e.getErrorCode() == SQLiteErrorCode.SQLITE_NOTADB.code;
    }
}
