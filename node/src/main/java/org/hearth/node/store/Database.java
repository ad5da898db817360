package org.hearth.node.store;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.hearth.core.crypto.PassphraseKdf;
import org.hearth.core.crypto.RandomSource;

/**
 * The node's encrypted store. Work runs as lambdas inside transactions (Briar's {@code TransactionManager}):
 * a lambda that throws rolls back, and {@link Transaction#afterCommit} actions run only after a commit.
 * {@link java.sql.SQLException}s leave as {@link StoreException}; other runtime exceptions leave unchanged.
 * Transactions do not nest: calling {@code read} or {@code write} from inside a lambda throws
 * {@link IllegalStateException}.
 */
public interface Database extends AutoCloseable {

    /**
     * Opens the store in {@code dir}, creating it (encrypted under a key derived from {@code passphrase}
     * with {@code paramsForNewStore}) when there is none. An existing store keeps the parameters it was
     * created with. The passphrase is not retained; the caller should wipe it.
     *
     * @throws WrongPassphraseException if the passphrase does not decrypt the existing store; the files
     *         are left untouched
     * @throws StoreVersionException if the store was written by a newer Hearth
     * @throws StoreException on any other failure
     */
    static Database open(Path dir, char[] passphrase, PassphraseKdf.Params paramsForNewStore)
            throws WrongPassphraseException {
        return open(dir, passphrase, paramsForNewStore, RandomSource.secure());
    }

    /** As {@link #open(Path, char[], PassphraseKdf.Params)}, drawing a new store's salt from {@code random}. */
    static Database open(Path dir, char[] passphrase, PassphraseKdf.Params paramsForNewStore, RandomSource random)
            throws WrongPassphraseException {
        return SqliteDatabase.open(dir, passphrase, paramsForNewStore, random, Schema.MIGRATIONS);
    }

    /** Whether {@code dir} already holds a store (complete or not), so that {@code open} will not create one. */
    static boolean exists(Path dir) {
        return SqliteDatabase.exists(dir);
    }

    /** Runs {@code work} in a read-only transaction and returns its result. */
    <T> T read(Tx<T> work);

    /** Runs {@code work} in its own write transaction; returns once it is committed and on disk. */
    <T> T write(Tx<T> work);

    /**
     * Queues {@code work} for a group commit: queued work from many threads shares one transaction and one
     * fsync. The future completes after that commit (its after-commit actions have run by then), or
     * exceptionally if {@code work} threw (then only its own changes are rolled back) or the commit failed.
     * Dependent stages added without an executor run on the store's commit thread and must not block; never
     * wait for the future inside a transaction (the commit thread needs the lock that transaction holds).
     */
    <T> CompletableFuture<T> writeAsync(Tx<T> work);

    /** Commits queued async work, then closes the store. Idempotent. */
    @Override
    void close();
}
