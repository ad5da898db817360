package org.hearth.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.hearth.core.crypto.PassphraseKdf;
import org.hearth.core.crypto.RandomSource;
import org.hearth.node.store.Database;
import org.hearth.node.store.WrongPassphraseException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Inserts of 1 KiB rows into the encrypted store (SQLite3MultipleCiphers, WAL, synchronous=FULL), through
 * the real {@link Database}. Scores are rows per second. Every iteration starts from a fresh store in a
 * temporary directory, so the file does not grow across the run (a fast disk fills gigabytes otherwise).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// sqlite-jdbc loads a native library; without this, JDK 24+ warns in every fork
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class StoreBench {
    static final int ROW_BYTES = 1024;
    static final int BATCH_ROWS = 100;
    static final int ASYNC_ROWS = 256;
    private static final String INSERT = "INSERT INTO settings(key, value) VALUES(?, ?)";

    private byte[] row;
    private Path dir;
    private Database db;
    private long next;

    @Setup(Level.Trial)
    public void makeRow() {
        row = RandomSource.secure().bytes(ROW_BYTES);
    }

    @Setup(Level.Iteration)
    public void open() throws IOException, WrongPassphraseException {
        dir = Files.createTempDirectory("hearth-bench-store");
        db = Database.open(dir, "pw".toCharArray(), PassphraseKdf.FAST);
        next = 0;
    }

    @TearDown(Level.Iteration)
    public void close() throws IOException {
        db.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(StoreBench::delete);
        }
    }

    /** One row per write transaction: every row pays a commit and an fsync. */
    @Benchmark
    public int insertOnePerWrite() {
        String key = "bench/" + next++;
        return db.write(tx -> tx.update(INSERT, key, row));
    }

    /** {@value #BATCH_ROWS} rows in one write transaction: one commit and fsync for the batch. */
    @Benchmark
    @OperationsPerInvocation(BATCH_ROWS)
    public int insertBatch() {
        long first = next;
        next += BATCH_ROWS;
        return db.write(tx -> {
            int changed = 0;
            for (long k = first; k < first + BATCH_ROWS; k++) {
                changed += tx.update(INSERT, "bench/" + k, row);
            }
            return changed;
        });
    }

    /**
     * {@value #ASYNC_ROWS} rows queued with {@code writeAsync}, one small transaction each, then awaited: the
     * group committer folds them into as few commits (and fsyncs) as the queue allows.
     */
    @Benchmark
    @OperationsPerInvocation(ASYNC_ROWS)
    public void insertWriteAsync() {
        CompletableFuture<?>[] pending = new CompletableFuture<?>[ASYNC_ROWS];
        for (int i = 0; i < ASYNC_ROWS; i++) {
            String key = "bench/" + next++;
            pending[i] = db.writeAsync(tx -> tx.update(INSERT, key, row));
        }
        CompletableFuture.allOf(pending).join();
    }

    private static void delete(Path p) {
        try {
            Files.delete(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
