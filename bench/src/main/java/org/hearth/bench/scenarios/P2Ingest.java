package org.hearth.bench.scenarios;

import static org.hearth.bench.scenarios.Kit.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.bytes.SecretBytes;
import org.hearth.core.chat.ChatOverlay;
import org.hearth.core.crypto.PassphraseKdf;
import org.hearth.core.group.EpochKey;
import org.hearth.core.group.GroupId;
import org.hearth.core.group.GroupMessages;
import org.hearth.core.group.GroupPolicy;
import org.hearth.core.group.KeyCatchup;
import org.hearth.core.group.Permission;
import org.hearth.core.identity.Endpoint;
import org.hearth.core.identity.Identity;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.hearth.node.Node;
import org.hearth.node.NodeConfig;
import org.hearth.node.NodeHome;
import org.hearth.node.group.GroupRecord;
import org.hearth.node.store.Database;

/** P2 durable ingest: acknowledged relays per second at a managed host against raw batched inserts. See docs/benchmarks.md. */
final class P2Ingest implements Scenario {
    /** Relays each writer keeps in flight. */
    static final int WINDOW = 16;
    /**
     * A 1 KiB message, as the host stores it: the padded, signed message is 1024 bytes (the 1 KiB padding bucket),
     * so the envelope compares with the baseline's 1 KiB rows. The chat text is the longest that still fits (about
     * 850 characters next to the sender, group, epoch, update hash, time and signature).
     */
    static final int PADDED_MESSAGE_BYTES = 1024;

    /**
     * One ingest run: acknowledged relays per second, relays refused, the size of one encoded envelope, and the
     * bytes the process wrote to storage per acknowledged relay while the clock ran (-1 if unknown).
     */
    record Ingest(double perSecond, long refused, int envelopeBytes, double writtenPerRelay) {
    }

    /** A raw baseline run: rows per second and bytes written to storage per row (-1 if unknown). */
    record Raw(double perSecond, double writtenPerRow) {
    }

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
        double[] untrusted = new double[reps];
        double[] rawWritten = new double[reps];
        double[] managedWritten = new double[reps];
        double[] untrustedWritten = new double[reps];
        long refused = 0;
        long untrustedRefused = 0;
        int envelopeBytes = 0;
        for (int r = 0; r < reps; r++) {
            Raw rr = rawInsertRate(run.work().resolve("p2-raw-" + r), rawRows, 1000);
            raw[r] = rr.perSecond();
            rawWritten[r] = rr.writtenPerRow();
            Ingest m = managedIngestRate(run.work().resolve("p2-managed-" + r), writers, perWriter, WINDOW);
            acked[r] = m.perSecond();
            refused += m.refused();
            envelopeBytes = m.envelopeBytes();
            managedWritten[r] = m.writtenPerRelay();
            Ingest u = untrustedIngestRate(run.work().resolve("p2-host-" + r), writers, perWriter, WINDOW);
            untrusted[r] = u.perSecond();
            untrustedRefused += u.refused();
            untrustedWritten[r] = u.writtenPerRelay();
            log(String.format("p2 run %d: managed host acked %.0f/s (refused %d), raw %.0f rows/s,"
                    + " untrusted host acked %.0f/s (refused %d)", r + 1, acked[r], m.refused(), raw[r], untrusted[r],
                    u.refused()));
        }
        double a = median(acked);
        double b = median(raw);
        run.put("writers", writers, "acked_per_s", round(a), "raw_insert_per_s", round(b), "ratio", round3(a / b));
        run.detail("runs", reps, "envelopes_per_run", writers * perWriter, "padded_message_bytes", PADDED_MESSAGE_BYTES,
                "envelope_bytes", envelopeBytes, "in_flight_per_writer", WINDOW, "raw_rows_per_run", rawRows,
                "raw_rows_per_tx", 1000, "refused_relays", refused, "acked_runs", Arrays.toString(roundAll(acked)),
                "raw_runs", Arrays.toString(roundAll(raw)), "untrusted_acked_per_s", round(median(untrusted)),
                "untrusted_ratio", round3(median(untrusted) / b), "untrusted_runs",
                Arrays.toString(roundAll(untrusted)), "untrusted_refused_relays", untrustedRefused,
                "written_bytes_per_raw_row", round(median(rawWritten)), "written_bytes_per_relay",
                round(median(managedWritten)), "untrusted_written_bytes_per_relay", round(median(untrustedWritten)));
    }

    /** Rows per second of 1 KiB rows inserted in batches, one transaction (commit + fsync) per batch. */
    static Raw rawInsertRate(Path dir, int rows, int batch) throws Exception {
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
            long w0 = writtenBytes();
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
            double s = seconds(t0);
            return new Raw(rows / s, w0 < 0 ? -1 : (writtenBytes() - w0) / (double) rows);
        } finally {
            db.close();
            deleteTree(dir);
        }
    }

    /**
     * Acknowledged relays per second at a managed host: a node that manages a self-hosted group whose signed state
     * has the {@code writers} as writers. Each writer's channel is authenticated by its own identity, and its
     * envelopes are sealed and signed with the group's epoch key before the clock starts.
     */
    static Ingest managedIngestRate(Path dir, int writers, int perWriter, int window) throws Exception {
        Path home = dir.resolve("manager");
        List<Identity> ids = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            ids.add(Identity.generate(RANDOM));
        }
        try {
            // the manager creates the group and adds the writers; additions within 2 s go out in one epoch
            GroupPolicy policy = new GroupPolicy(Duration.ZERO, 0, Duration.ofSeconds(2), KeyCatchup.SINCE_JOIN,
                    Duration.ofDays(7));
            Node mgr = startNode(home, "manager", NodeConfig.Roles.MEMBER);
            GroupId g;
            try {
                g = mgr.groups().create("p2", List.of(mgr.endpoint()), true, policy);
                for (Identity id : ids) {
                    // the writers never listen: their invites wait in the manager's outbox
                    mgr.groups().add(g, new Endpoint(id.address(), "127.0.0.1", 9), Permission.WRITE);
                }
                await(mgr, () -> {
                    GroupRecord r = mgr.groups().group(g);
                    return r.pending().isEmpty() && r.head().orElseThrow().state().members().size() > writers;
                }, "the writers' epoch");
            } finally {
                mgr.close();
            }
            EpochKey key = currentKey(home, g);
            // every writer seals its own messages with the epoch key and signs them with its identity
            Instant base = Instant.now();
            String text = longestTextIn(ids.get(0), key, PADDED_MESSAGE_BYTES);
            GroupEnvelope[][] envelopes = new GroupEnvelope[writers][];
            IntStream.range(0, writers).parallel().forEach(w -> {
                envelopes[w] = new GroupEnvelope[perWriter];
                for (int i = 0; i < perWriter; i++) {
                    envelopes[w][i] = GroupMessages.seal(ids.get(w), key, base.plusMillis(i), List.of(),
                            ChatOverlay.text(text), Optional.empty(), RANDOM);
                }
            });
            // the managed host restarts (its port is new) with the writers' envelopes ready
            Node host = startNode(home, "manager", NodeConfig.Roles.MEMBER);
            try {
                List<HostClient> clients = new ArrayList<>();
                try {
                    for (Identity id : ids) {
                        clients.add(new HostClient(host.endpoint(), id, RANDOM));
                    }
                    return relayTimed(clients, envelopes, window);
                } finally {
                    clients.forEach(HostClient::close);
                }
            } finally {
                host.close();
            }
        } finally {
            deleteTree(dir);
        }
    }

    /** The manager's key of the group's current epoch, read from its store while it is stopped. */
    private static EpochKey currentKey(Path home, GroupId g) throws Exception {
        NodeHome.Opened opened = NodeHome.open(home, PW);
        try {
            return opened.db().read(tx -> tx.queryOne("SELECT epoch, update_hash, key FROM group_keys WHERE group_id = ?"
                    + " ORDER BY epoch DESC LIMIT 1", rs -> new EpochKey(g, rs.getLong(1), Bytes.wrap(rs.getBytes(2)),
                    SecretBytes.adopt(rs.getBytes(3))), g.bytes())).orElseThrow();
        } finally {
            opened.close();
        }
    }

    /** Acknowledged relays per second at a fresh untrusted host: fresh client identities, random envelopes. */
    static Ingest untrustedIngestRate(Path dir, int writers, int perWriter, int window) throws Exception {
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
            return relayTimed(clients, envelopes, window);
        } finally {
            clients.forEach(HostClient::close);
            host.close();
            deleteTree(dir);
        }
    }

    /** Each client relays its envelopes, {@code window} in flight; the clock runs until every relay is answered. */
    /** The longest chat text whose sealed message pads to {@code padded} bytes (ciphertext = padded + 16). */
    static String longestTextIn(Identity sender, EpochKey key, int padded) {
        int lo = 0;
        int hi = padded;
        while (lo < hi) { // the largest n that still fits
            int n = (lo + hi + 1) / 2;
            GroupEnvelope e = GroupMessages.seal(sender, key, Instant.now(), List.of(), ChatOverlay.text("x".repeat(n)),
                    Optional.empty(), RANDOM);
            if (e.getCiphertext().size() <= padded + 16) {
                lo = n;
            } else {
                hi = n - 1;
            }
        }
        return "x".repeat(lo);
    }

    private static Ingest relayTimed(List<HostClient> clients, GroupEnvelope[][] envelopes, int window)
            throws Exception {
        int total = Arrays.stream(envelopes).mapToInt(e -> e.length).sum();
        AtomicLong acked = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(total);
        for (int w = 0; w < clients.size(); w++) {
            HostClient c = clients.get(w);
            GroupEnvelope[] mine = envelopes[w];
            Thread.ofVirtual().start(() -> {
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
            });
        }
        long w0 = writtenBytes();
        long t0 = System.nanoTime();
        start.countDown();
        done.await();
        double s = seconds(t0);
        double written = w0 < 0 ? -1 : (writtenBytes() - w0) / (double) Math.max(1, acked.get());
        return new Ingest(acked.get() / s, errors.get(), envelopes[0][0].getSerializedSize(), written);
    }
}
