package org.hearth.node.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import org.hearth.core.bytes.SecretBytes;
import org.hearth.core.crypto.PassphraseKdf;
import org.hearth.core.crypto.RandomSource;

/**
 * The store on one encrypted SQLite connection. Every transaction, read or write, holds {@link #lock}, so
 * there is exactly one writer and no SQLITE_BUSY inside the process; async writes are batched by a
 * {@link GroupCommitter} into one transaction with a savepoint per item.
 */
final class SqliteDatabase implements Database {
    static final String DATABASE_FILE = "store.db";
    private static final String ITEM_SAVEPOINT = "hearth_item";

    private final Connection connection;
    private final ReentrantLock lock = new ReentrantLock();
    private final GroupCommitter committer;
    private boolean closed; // guarded by lock

    private SqliteDatabase(Connection connection) {
        this.connection = connection;
        this.committer = new GroupCommitter(this::commitBatch);
    }

    static boolean exists(Path dir) {
        return Files.exists(dir.resolve(KeyFile.NAME)) || Files.exists(dir.resolve(DATABASE_FILE));
    }

    static SqliteDatabase open(Path dir, char[] passphrase, PassphraseKdf.Params paramsForNewStore,
            RandomSource random, List<Migration> migrations) throws WrongPassphraseException {
        Objects.requireNonNull(passphrase, "passphrase");
        Objects.requireNonNull(paramsForNewStore, "paramsForNewStore");
        Path dbFile = dir.resolve(DATABASE_FILE);
        Path keyPath = dir.resolve(KeyFile.NAME);
        boolean creating = !Files.exists(keyPath);
        if (creating && Files.exists(dbFile)) {
            throw new StoreException(DATABASE_FILE + " exists without its key file " + KeyFile.NAME
                    + " (an interrupted creation?) and cannot be decrypted; move it away to create a new store");
        }
        if (!creating && !Files.exists(dbFile)) {
            throw new StoreException("store is incomplete: " + KeyFile.NAME + " exists but " + DATABASE_FILE
                    + " is missing");
        }
        KeyFile keyFile = creating ? KeyFile.fresh(paramsForNewStore, random) : KeyFile.read(keyPath);
        if (creating) {
            createDirectories(dir);
        }
        Connection connection = null;
        try {
            connection = connect(dbFile, keyFile, passphrase, creating);
            Migrator.migrate(connection, migrations);
            // Written last: its presence says the database beside it is complete and keyed with this salt.
            if (creating) {
                keyFile.writeAtomically(keyPath);
            }
            return new SqliteDatabase(connection);
        } catch (SQLException | RuntimeException e) {
            if (connection != null) {
                closeQuietly(connection, e);
            }
            if (creating) {
                deleteQuietly(dbFile, e);
            }
            throw e instanceof SQLException s ? new StoreException("cannot open store", s) : (RuntimeException) e;
        }
    }

    private static Connection connect(Path dbFile, KeyFile keyFile, char[] passphrase, boolean creating)
            throws WrongPassphraseException {
        SecretBytes key = keyFile.deriveKey(passphrase);
        try {
            if (!creating) {
                checkKey(dbFile, key);
            }
            Connection connection = SqliteConnector.open(dbFile, key);
            try {
                checkReadable(connection);
                return connection;
            } catch (SQLException e) {
                closeQuietly(connection, e);
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("cannot open " + dbFile, e);
        } finally {
            key.destroy();
        }
    }

    /** Tells a wrong passphrase from other failures, without writing (see {@link SqliteConnector#probe}). */
    private static void checkKey(Path dbFile, SecretBytes key) throws WrongPassphraseException {
        try {
            SqliteConnector.probe(dbFile, key);
        } catch (SQLException e) {
            if (SqliteConnector.isNotADatabase(e)) {
                throw new WrongPassphraseException();
            }
            throw new StoreException("cannot open " + dbFile, e);
        }
    }

    /** Page 1 must decrypt on the read-write connection too (the file could have been swapped since). */
    private static void checkReadable(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement();
                ResultSet r = s.executeQuery("SELECT count(*) FROM sqlite_master")) {
            r.next();
        }
    }

    @Override
    public <T> T read(Tx<T> work) {
        return run(work, false);
    }

    @Override
    public <T> T write(Tx<T> work) {
        return run(work, true);
    }

    @Override
    public <T> CompletableFuture<T> writeAsync(Tx<T> work) {
        return committer.submit(Objects.requireNonNull(work));
    }

    @Override
    public void close() {
        committer.close();
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                connection.close();
            }
        } catch (SQLException e) {
            throw new StoreException("cannot close store", e);
        } finally {
            lock.unlock();
        }
    }

    /** Batches committed by the group committer so far (for tests and metrics). */
    long groupCommitCount() {
        return committer.batchCount();
    }

    private <T> T run(Tx<T> work, boolean write) {
        Objects.requireNonNull(work);
        if (lock.isHeldByCurrentThread()) {
            throw new IllegalStateException("transactions do not nest: use the Transaction you were given");
        }
        TransactionImpl tx = new TransactionImpl(connection);
        T result;
        lock.lock();
        try {
            checkOpen();
            result = write ? inTransaction(tx, work, "BEGIN IMMEDIATE") : inReadOnlyTransaction(tx, work);
        } catch (SQLException e) {
            throw new StoreException(write ? "write failed" : "read failed", e);
        } finally {
            lock.unlock();
        }
        tx.runAfterCommit();
        return result;
    }

    private <T> T inReadOnlyTransaction(TransactionImpl tx, Tx<T> work) throws SQLException {
        // query_only makes a write inside read() fail instead of silently committing.
        execute("PRAGMA query_only = 1");
        try {
            return inTransaction(tx, work, "BEGIN");
        } finally {
            execute("PRAGMA query_only = 0");
        }
    }

    private <T> T inTransaction(TransactionImpl tx, Tx<T> work, String begin) throws SQLException {
        execute(begin);
        try {
            T result;
            try {
                result = work.run(tx);
            } finally {
                tx.finish();
            }
            execute("COMMIT");
            return result;
        } catch (SQLException | RuntimeException | Error e) {
            rollbackQuietly(e);
            throw e;
        }
    }

    /** Runs a batch in one transaction; an item that throws is rolled back to its savepoint and fails alone. */
    private void commitBatch(List<GroupCommitter.Pending<?>> batch) throws SQLException {
        lock.lock();
        try {
            checkOpen();
            execute("BEGIN IMMEDIATE");
            try {
                for (GroupCommitter.Pending<?> item : batch) {
                    runInSavepoint(item);
                }
                execute("COMMIT");
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(e);
                throw e;
            }
        } finally {
            lock.unlock();
        }
        for (GroupCommitter.Pending<?> item : batch) {
            item.complete();
        }
    }

    private void runInSavepoint(GroupCommitter.Pending<?> item) throws SQLException {
        execute("SAVEPOINT " + ITEM_SAVEPOINT);
        try {
            item.run(connection);
            execute("RELEASE " + ITEM_SAVEPOINT);
        } catch (SQLException | RuntimeException e) {
            // If the error already ended the whole transaction, this throws and the batch fails as a whole.
            execute("ROLLBACK TO " + ITEM_SAVEPOINT);
            execute("RELEASE " + ITEM_SAVEPOINT);
            item.failed(e instanceof SQLException s ? new StoreException("write failed", s) : (RuntimeException) e);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new StoreException("database is closed");
        }
    }

    private void execute(String sql) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute(sql);
        }
    }

    private void rollbackQuietly(Throwable cause) {
        try {
            execute("ROLLBACK");
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    private static void closeQuietly(Connection connection, Throwable cause) {
        try {
            connection.close();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /** Removes a database this call created and could not finish, so the next open starts clean. */
    private static void deleteQuietly(Path dbFile, Throwable cause) {
        for (String suffix : List.of("", "-wal", "-shm", "-journal")) {
            try {
                Files.deleteIfExists(dbFile.resolveSibling(dbFile.getFileName() + suffix));
            } catch (IOException e) {
                cause.addSuppressed(e);
            }
        }
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StoreException("cannot create " + dir, e);
        }
    }
}
