package org.hearth.node;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import org.hearth.core.bytes.SecretBytes;
import org.hearth.core.crypto.PassphraseKdf;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.Identity;
import org.hearth.node.store.Database;
import org.hearth.node.store.Transaction;
import org.hearth.node.store.WrongPassphraseException;

/** A node's home directory: its encrypted store, which holds the identity key and everything else. */
public final class NodeHome {
    private static final String SEED = "identity.seed";
    private static final String NAME = "identity.name";

    public record Opened(Database db, Identity identity, String name, java.nio.channels.FileChannel lock) {
        /** Closes the store, then releases the home. */
        public void close() {
            db.close();
            closeQuietly(lock);
        }
    }

    private NodeHome() {
    }

    public static boolean exists(Path home) {
        return Database.exists(home);
    }

    /** Creates the store and a fresh identity. Refuses to overwrite an existing node. */
    public static Identity init(Path home, char[] passphrase, String name, RandomSource random,
            PassphraseKdf.Params kdf) throws WrongPassphraseException {
        if (exists(home)) {
            throw new UserError(UserError.Kind.CONFLICT, "a node already exists in " + home);
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > org.hearth.core.wire.WireCodec.MAX_NAME_BYTES
                || name.chars().anyMatch(Character::isISOControl)) {
            throw new UserError(UserError.Kind.INVALID, "a name has at most 64 bytes (UTF-8) and no control characters");
        }
        try {
            Files.createDirectories(home);
        } catch (java.io.IOException e) {
            throw new UserError(UserError.Kind.INVALID, "cannot create " + home + ": " + e.getMessage());
        }
        Identity identity = Identity.generate(random);
        try (Database db = Database.open(home, passphrase, kdf)) {
            db.write(tx -> {
                put(tx, SEED, identity.seed().reveal());
                put(tx, NAME, name.getBytes(StandardCharsets.UTF_8));
                return null;
            });
        }
        return identity;
    }

    /**
     * Opens the home for a running node. An exclusive lock on {@code HOME/node.lock} (held until the returned
     * {@link Opened#close()}) keeps a second node off the same identity and store.
     */
    public static Opened open(Path home, char[] passphrase) throws WrongPassphraseException {
        if (!exists(home)) {
            throw new UserError(UserError.Kind.NOT_FOUND, "no node in " + home + " (run `hearth init --home "
                    + home + "` first)");
        }
        java.nio.channels.FileChannel lock = lock(home);
        Database db;
        try {
            db = Database.open(home, passphrase, PassphraseKdf.DEFAULT);
        } catch (WrongPassphraseException | RuntimeException e) {
            closeQuietly(lock);
            throw e;
        }
        try {
            byte[] seed = db.read(tx -> get(tx, SEED)).orElseThrow(() -> new IllegalStateException("store has no identity"));
            String name = db.read(tx -> get(tx, NAME)).map(b -> new String(b, StandardCharsets.UTF_8)).orElse("");
            return new Opened(db, Identity.fromSeed(SecretBytes.adopt(seed)), name, lock);
        } catch (RuntimeException e) {
            db.close();
            closeQuietly(lock);
            throw e;
        }
    }

    private static java.nio.channels.FileChannel lock(Path home) {
        try {
            java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(home.resolve("node.lock"),
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
            if (ch.tryLock() == null) {
                ch.close();
                throw new UserError(UserError.Kind.CONFLICT, "a node is already running in " + home);
            }
            return ch;
        } catch (java.nio.channels.OverlappingFileLockException e) {
            throw new UserError(UserError.Kind.CONFLICT, "a node is already running in " + home);
        } catch (java.io.IOException e) {
            throw new UserError(UserError.Kind.INVALID, "cannot lock " + home + ": " + e.getMessage());
        }
    }

    private static void closeQuietly(java.nio.channels.FileChannel ch) {
        try {
            ch.close();
        } catch (java.io.IOException ignored) {
            // releasing the lock of a home we failed to open
        }
    }

    private static void put(Transaction tx, String key, byte[] value) throws SQLException {
        try (PreparedStatement ps = tx.connection().prepareStatement(
                "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")) {
            ps.setString(1, key);
            ps.setBytes(2, value);
            ps.executeUpdate();
        }
    }

    private static Optional<byte[]> get(Transaction tx, String key) throws SQLException {
        try (PreparedStatement ps = tx.connection().prepareStatement("SELECT value FROM settings WHERE key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
            }
        }
    }
}
