package org.hearth.node.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every {@link Database} must do, whatever the engine behind it (Briar's JdbcDatabaseTest pattern). */
abstract class DatabaseContractTest {
    @TempDir
    Path dir;
    Database db;

    /** Opens (creating if needed) the store in {@code dir}. */
    abstract Database open(Path dir) throws Exception;

    @BeforeEach
    void openStore() throws Exception {
        db = open(dir);
    }

    @AfterEach
    void closeStore() {
        db.close();
    }

    static final class Boom extends RuntimeException {
        Boom() {
            super("boom");
        }
    }

    static int putSetting(Transaction tx, String key) throws java.sql.SQLException {
        return tx.update("INSERT INTO settings(key, value) VALUES (?, ?)", key, new byte[] {1});
    }

    static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("latch timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    int settingCount() {
        return db.read(tx -> tx.queryOne("SELECT count(*) FROM settings", r -> r.getInt(1)).orElseThrow());
    }

    boolean hasSetting(String key) {
        return db.read(tx -> tx.queryOne("SELECT 1 FROM settings WHERE key = ?", r -> true, key)).isPresent();
    }

    @Test
    void write_committed_isVisibleToRead() {
        int changed = db.write(tx -> putSetting(tx, "a"));

        assertThat(changed).isEqualTo(1);
        Optional<byte[]> value = db.read(tx -> tx.queryOne("SELECT value FROM settings WHERE key = ?",
                r -> r.getBytes(1), "a"));
        assertThat(value).hasValueSatisfying(v -> assertThat(v).containsExactly(1));
    }

    @Test
    void write_lambdaThrows_rollsBackAndRethrowsUnchanged() {
        Boom boom = new Boom();

        assertThatThrownBy(() -> db.write(tx -> {
            putSetting(tx, "a");
            throw boom;
        })).isSameAs(boom);

        assertThat(settingCount()).isZero();
    }

    @Test
    void write_sqlFails_rollsBackAndThrowsStoreException() {
        assertThatThrownBy(() -> db.write(tx -> {
            putSetting(tx, "a");
            return putSetting(tx, "a"); // primary key violation
        })).isInstanceOf(StoreException.class).hasCauseInstanceOf(java.sql.SQLException.class);

        assertThat(settingCount()).isZero();
    }

    @Test
    void afterCommit_writeCommits_runsAfterTheCommit() {
        List<Boolean> seenByAction = new ArrayList<>();

        db.write(tx -> {
            putSetting(tx, "a");
            // Runs outside the lock, after the commit: it may open its own transaction and sees the row.
            tx.afterCommit(() -> seenByAction.add(hasSetting("a")));
            assertThat(seenByAction).isEmpty();
            return null;
        });

        assertThat(seenByAction).containsExactly(true);
    }

    @Test
    void afterCommit_writeRollsBack_neverRuns() {
        AtomicBoolean ran = new AtomicBoolean();

        assertThatThrownBy(() -> db.write(tx -> {
            tx.afterCommit(() -> ran.set(true));
            throw new Boom();
        })).isInstanceOf(Boom.class);

        assertThat(ran).isFalse();
    }

    @Test
    void afterCommit_actionThrows_writeStillSucceedsAndLaterActionsRun() {
        AtomicBoolean second = new AtomicBoolean();

        db.write(tx -> {
            putSetting(tx, "a");
            tx.afterCommit(() -> {
                throw new Boom();
            });
            tx.afterCommit(() -> second.set(true));
            return null;
        });

        assertThat(second).isTrue();
        assertThat(hasSetting("a")).isTrue();
    }

    @Test
    void read_attemptsWrite_failsAndChangesNothing() {
        assertThatThrownBy(() -> db.read(tx -> putSetting(tx, "a"))).isInstanceOf(StoreException.class);

        assertThat(settingCount()).isZero();
        db.write(tx -> putSetting(tx, "b")); // the connection is writable again afterwards
        assertThat(settingCount()).isEqualTo(1);
    }

    @Test
    void write_nestedInsideWrite_throwsIllegalState() {
        assertThatThrownBy(() -> db.write(tx -> db.read(inner -> 1))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void transaction_usedAfterLambdaReturned_throwsIllegalState() {
        Transaction escaped = db.write(tx -> tx);

        assertThatThrownBy(escaped::connection).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void queryOne_severalRows_throwsStoreException() {
        db.write(tx -> putSetting(tx, "a") + putSetting(tx, "b"));

        assertThatThrownBy(() -> db.read(tx -> tx.queryOne("SELECT key FROM settings", r -> r.getString(1))))
                .isInstanceOf(StoreException.class);
    }

    @Test
    void writeAsync_manyVirtualThreads_allCommittedAndFailuresIsolated() throws Exception {
        int threads = 64;
        int writesPerThread = 200;
        List<Throwable> unexpected = new CopyOnWriteArrayList<>();
        List<Integer> failedAsExpected = new CopyOnWriteArrayList<>();
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < writesPerThread; i++) {
                        String key = thread + "/" + i;
                        boolean poison = i % 50 == 49; // 4 per thread: inserts, then throws
                        CompletableFuture<Integer> f = db.writeAsync(tx -> {
                            int n = putSetting(tx, key);
                            if (poison) {
                                throw new Boom();
                            }
                            return n;
                        });
                        try {
                            int n = f.join();
                            if (poison || n != 1) {
                                unexpected.add(new AssertionError("poisoned write committed: " + key));
                            }
                        } catch (CompletionException e) {
                            if (poison && e.getCause() instanceof Boom) {
                                failedAsExpected.add(i);
                            } else {
                                unexpected.add(e);
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(2, TimeUnit.MINUTES);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int total = threads * writesPerThread;
        int poisoned = threads * (writesPerThread / 50);
        System.out.printf("writeAsync: %d writes from %d virtual threads in %.2f s = %.0f writes/s%n",
                total, threads, seconds, total / seconds);

        assertThat(unexpected).isEmpty();
        assertThat(failedAsExpected).hasSize(poisoned);
        assertThat(settingCount()).isEqualTo(total - poisoned);
        assertThat(hasSetting("0/49")).isFalse();
        assertThat(hasSetting("0/48")).isTrue();
        afterGroupCommit(total);
    }

    /** Hook for engine-specific checks after the many-threads test (e.g. that writes were batched). */
    void afterGroupCommit(int writes) {
    }

    @Test
    void writeAsync_failingItemInBatch_failsAloneAndSkipsItsAfterCommit() throws Exception {
        CountDownLatch firstRunning = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> events = new CopyOnWriteArrayList<>();
        CompletableFuture<Integer> first = db.writeAsync(tx -> {
            firstRunning.countDown();
            await(release);
            return putSetting(tx, "first");
        });
        firstRunning.await();
        // Queued while the commit thread is busy, so they are committed together.
        CompletableFuture<Integer> good1 = db.writeAsync(tx -> {
            tx.afterCommit(() -> events.add("good1"));
            return putSetting(tx, "good1");
        });
        CompletableFuture<Integer> bad = db.writeAsync(tx -> {
            tx.afterCommit(() -> events.add("bad"));
            putSetting(tx, "bad");
            return putSetting(tx, "first"); // duplicate key
        });
        CompletableFuture<Integer> good2 = db.writeAsync(tx -> {
            tx.afterCommit(() -> events.add("good2"));
            return putSetting(tx, "good2");
        });
        release.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(good1.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(good2.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThatThrownBy(bad::join).hasCauseInstanceOf(StoreException.class);
        assertThat(events).containsExactly("good1", "good2");
        assertThat(hasSetting("bad")).isFalse();
        assertThat(settingCount()).isEqualTo(3);
    }

    @Test
    void close_asyncWritesQueued_commitsThemFirst() throws Exception {
        List<CompletableFuture<Integer>> futures = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            String key = "k" + i;
            futures.add(db.writeAsync(tx -> putSetting(tx, key)));
        }

        db.close();

        assertThat(futures).allSatisfy(f -> assertThat(f).isCompletedWithValue(1));
        db = open(dir);
        assertThat(settingCount()).isEqualTo(500);
    }

    @Test
    void writeAsync_afterClose_failsWithStoreException() {
        db.close();

        assertThat(db.writeAsync(tx -> 1)).failsWithin(1, TimeUnit.SECONDS)
                .withThrowableThat().withCauseInstanceOf(StoreException.class);
        assertThatThrownBy(() -> db.read(tx -> 1)).isInstanceOf(StoreException.class);
    }
}
