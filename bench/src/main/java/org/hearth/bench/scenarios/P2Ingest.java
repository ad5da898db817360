package org.hearth.bench.scenarios;

import static org.hearth.bench.scenarios.Kit.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.hearth.core.crypto.PassphraseKdf;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.hearth.node.Node;
import org.hearth.node.NodeConfig;
import org.hearth.node.store.Database;

/** P2 durable ingest: acknowledged relays per second at a host against raw batched inserts. See docs/benchmarks.md. */
final class P2Ingest implements Scenario {
    @Override
    public String key() {
        return "p2";
    }

    @Override
    public String target() {
        return "ratio >= 0.4";
    }

    @Override
    public boolean met(Map<String, Object> r) {
        return ((Number) r.get("ratio")).doubleValue() >= 0.4;
    }

    @Override
    public void run(Run run) throws Exception {
        int writers = 64;
        int perWriter = run.quick() ? 150 : 800;
        int rawRows = run.quick() ? 20_000 : 100_000;
        int reps = run.quick() ? 3 : 5;
        double[] acked = new double[reps];
        double[] raw = new double[reps];
        long errors = 0;
        for (int r = 0; r < reps; r++) {
            raw[r] = rawInsertRate(run.work().resolve("p2-raw-" + r), rawRows, 1000);
            long[] err = new long[1];
            acked[r] = ingestRate(run.work().resolve("p2-host-" + r), writers, perWriter, 16, err);
            errors += err[0];
            log(String.format("p2 run %d: acked %.0f/s, raw %.0f rows/s, refused %d", r + 1, acked[r], raw[r], err[0]));
        }
        double a = median(acked);
        double b = median(raw);
        run.put("writers", writers, "acked_per_s", round(a), "raw_insert_per_s", round(b), "ratio", round3(a / b));
        run.detail("runs", reps, "envelopes_per_run", writers * perWriter, "in_flight_per_writer", 16,
                "raw_rows_per_run", rawRows, "raw_rows_per_tx", 1000, "refused_relays", errors,
                "acked_runs", Arrays.toString(roundAll(acked)), "raw_runs", Arrays.toString(roundAll(raw)));
    }

    /** Rows per second of 1 KiB rows inserted in batches, one transaction (commit + fsync) per batch. */
    static double rawInsertRate(Path dir, int rows, int batch) throws Exception {
        Files.createDirectories(dir);
        Database db = Database.open(dir, PW, PassphraseKdf.FAST);
        try {
            db.write(tx -> tx.update("CREATE TABLE IF NOT EXISTS bench_rows(id INTEGER PRIMARY KEY, v BLOB NOT NULL)"));
            SplittableRandom sr = new SplittableRandom(1);
            byte[][] values = new byte[rows][];
            for (int i = 0; i < rows; i++) {
                values[i] = new byte[1024];
                sr.nextBytes(values[i]);
            }
            long t0 = System.nanoTime();
            for (int first = 0; first < rows; first += batch) {
                int from = first;
                int to = Math.min(rows, first + batch);
                db.write(tx -> {
                    for (int i = from; i < to; i++) {
                        tx.update("INSERT INTO bench_rows(v) VALUES (?)", (Object) values[i]);
                    }
                    return null;
                });
            }
            return rows / seconds(t0);
        } finally {
            db.close();
            deleteTree(dir);
        }
    }

    /** Acknowledged relays per second: {@code writers} channels to a fresh untrusted host, pre-built envelopes. */
    static double ingestRate(Path dir, int writers, int perWriter, int window, long[] refused) throws Exception {
        Node host = startNode(dir.resolve("host"), "host", NodeConfig.Roles.HOST);
        List<HostClient> clients = new ArrayList<>();
        try {
            for (int w = 0; w < writers; w++) {
                clients.add(new HostClient(host.endpoint(), RANDOM));
            }
            SplittableRandom sr = new SplittableRandom(RANDOM.bytes(8)[0] * 31L + System.nanoTime());
            GroupEnvelope[][] envelopes = new GroupEnvelope[writers][perWriter];
            for (int w = 0; w < writers; w++) {
                for (int i = 0; i < perWriter; i++) {
                    envelopes[w][i] = randomEnvelope(sr, 1024);
                }
            }
            AtomicLong acked = new AtomicLong();
            AtomicLong errors = new AtomicLong();
            CountDownLatch start = new CountDownLatch(1);
            CountDownLatch done = new CountDownLatch(writers * perWriter);
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                HostClient c = clients.get(w);
                GroupEnvelope[] mine = envelopes[w];
                threads.add(Thread.ofVirtual().start(() -> {
                    Semaphore inFlight = new Semaphore(window);
                    try {
                        start.await();
                        for (GroupEnvelope e : mine) {
                            inFlight.acquire();
                            c.relay(e).whenComplete((f, t) -> {
                                if (t == null && !f.message().getRelayResponse().hasError()) {
                                    acked.incrementAndGet();
                                } else {
                                    errors.incrementAndGet();
                                }
                                inFlight.release();
                                done.countDown();
                            });
                        }
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }));
            }
            long t0 = System.nanoTime();
            start.countDown();
            done.await();
            double s = seconds(t0);
            refused[0] = errors.get();
            return acked.get() / s;
        } finally {
            clients.forEach(HostClient::close);
            host.close();
            deleteTree(dir);
        }
    }
}
