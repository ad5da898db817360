package org.hearth.bench.scenarios;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.bytes.SecretBytes;
import org.hearth.core.chat.ChatOverlay;
import org.hearth.core.crypto.Ed25519;
import org.hearth.core.crypto.PassphraseKdf;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.group.EpochKey;
import org.hearth.core.group.GroupId;
import org.hearth.core.group.GroupMessages;
import org.hearth.core.group.GroupPolicy;
import org.hearth.core.group.KeyCatchup;
import org.hearth.core.group.Permission;
import org.hearth.core.identity.Endpoint;
import org.hearth.core.identity.HostPort;
import org.hearth.core.identity.Identity;
import org.hearth.core.wire.WireCodec;
import org.hearth.core.wire.proto.FetchResponse;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.hearth.core.wire.proto.HostedEnvelope;
import org.hearth.core.wire.proto.PeerMessage;
import org.hearth.node.Node;
import org.hearth.node.NodeConfig;
import org.hearth.node.NodeHome;
import org.hearth.node.group.GroupRecord;
import org.hearth.node.store.Database;

/**
 * Scenario benchmarks P2, P3, P4 and P6 of issue 7 (see docs/benchmarks.md): real nodes, real stores, real
 * loopback channels. Writes bench/results/latest.json and latest.md.
 *
 * <pre>java -cp hearth-bench.jar org.hearth.bench.scenarios.Scenarios [--quick] [--only p2,p3,p4,p6] [--out DIR]</pre>
 */
public final class Scenarios {
    static final char[] PW = "bench".toCharArray();
    static final RandomSource RANDOM = RandomSource.secure();
    /** Every change is an epoch at once (as in the demo). */
    static final GroupPolicy IMMEDIATE = new GroupPolicy(Duration.ZERO, 0, Duration.ZERO, KeyCatchup.SINCE_JOIN,
            Duration.ofDays(7));

    private final boolean quick;
    private final Path work;
    private final Map<String, Map<String, Object>> results = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> details = new LinkedHashMap<>();

    private Scenarios(boolean quick, Path work) {
        this.quick = quick;
        this.work = work;
    }

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        List<String> only = List.of("p2", "p3", "p4", "p6");
        Path out = Path.of("bench/results");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--only" -> only = List.of(args[++i].toLowerCase(Locale.ROOT).split(","));
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (usage: [--quick] [--only p2,p3,p4,p6] [--out DIR])");
            }
        }
        Path work = Files.createTempDirectory("hearth-scenarios");
        Scenarios s = new Scenarios(quick, work);
        try {
            for (String p : only) {
                log("=== " + p + (quick ? " (quick)" : "") + " ===");
                long t0 = System.nanoTime();
                switch (p) {
                    case "p2" -> s.p2();
                    case "p3" -> s.p3();
                    case "p4" -> s.p4();
                    case "p6" -> s.p6();
                    default -> throw new IllegalArgumentException("unknown scenario " + p);
                }
                log(p + " took " + (System.nanoTime() - t0) / 1_000_000_000 + " s: " + s.results.get(p));
                s.write(out);
            }
        } finally {
            deleteTree(work);
        }
        System.exit(0);
    }

    // ------------------------------------------------------------------------------------------------ P2

    void p2() throws Exception {
        int writers = 64;
        int perWriter = quick ? 150 : 800;
        int rawRows = quick ? 20_000 : 100_000;
        int reps = quick ? 3 : 5;
        double[] acked = new double[reps];
        double[] raw = new double[reps];
        long errors = 0;
        for (int r = 0; r < reps; r++) {
            raw[r] = rawInsertRate(work.resolve("p2-raw-" + r), rawRows, 1000);
            long[] err = new long[1];
            acked[r] = ingestRate(work.resolve("p2-host-" + r), writers, perWriter, 16, err);
            errors += err[0];
            log(String.format("p2 run %d: acked %.0f/s, raw %.0f rows/s, refused %d", r + 1, acked[r], raw[r], err[0]));
        }
        double a = median(acked);
        double b = median(raw);
        put("p2", "writers", writers, "acked_per_s", round(a), "raw_insert_per_s", round(b), "ratio", round3(a / b));
        detail("p2", "runs", reps, "envelopes_per_run", writers * perWriter, "in_flight_per_writer", 16,
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

    static GroupEnvelope randomEnvelope(SplittableRandom sr, int ciphertextBytes) {
        return envelope(bytes(sr, 16), sr, ciphertextBytes);
    }

    static GroupEnvelope envelope(byte[] tag, SplittableRandom sr, int ciphertextBytes) {
        return GroupEnvelope.newBuilder().setTag(ByteString.copyFrom(tag)).setNonce(ByteString.copyFrom(bytes(sr, 24)))
                .setCiphertext(ByteString.copyFrom(bytes(sr, ciphertextBytes))).build();
    }

    static byte[] bytes(SplittableRandom sr, int n) {
        byte[] b = new byte[n];
        sr.nextBytes(b);
        return b;
    }

    /**
     * Relays every envelope over {@code channels} channels, {@code window} in flight each. Relays the host refuses
     * (its per-caller rate limit) are sent again after a pause; returns how many were refused at least once.
     */
    static long relayAll(Endpoint host, List<GroupEnvelope> all, int channels, int window) throws Exception {
        List<HostClient> clients = new ArrayList<>();
        long refusedOnce = 0;
        try {
            for (int i = 0; i < channels; i++) {
                clients.add(new HostClient(host, RANDOM));
            }
            List<GroupEnvelope> todo = all;
            for (int pass = 0; !todo.isEmpty(); pass++) {
                if (pass > 0) {
                    refusedOnce += pass == 1 ? todo.size() : 0;
                    Thread.sleep(1000);
                }
                if (pass > 60) {
                    throw new IllegalStateException(todo.size() + " relays still refused");
                }
                java.util.Queue<GroupEnvelope> refused = new java.util.concurrent.ConcurrentLinkedQueue<>();
                List<GroupEnvelope> current = todo;
                List<Thread> threads = new ArrayList<>();
                for (int c = 0; c < channels; c++) {
                    HostClient client = clients.get(c);
                    int me = c;
                    threads.add(Thread.ofVirtual().start(() -> {
                        Semaphore inFlight = new Semaphore(window);
                        try {
                            for (int i = me; i < current.size(); i += channels) {
                                inFlight.acquire();
                                GroupEnvelope e = current.get(i);
                                client.relay(e).whenComplete((f, t) -> {
                                    if (t != null || f.message().getRelayResponse().hasError()) {
                                        refused.add(e);
                                    }
                                    inFlight.release();
                                });
                            }
                            inFlight.acquire(window);
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        }
                    }));
                }
                for (Thread t : threads) {
                    t.join();
                }
                todo = new ArrayList<>(refused);
            }
            return refusedOnce;
        } finally {
            clients.forEach(HostClient::close);
        }
    }

    // ------------------------------------------------------------------------------------------------ P3

    void p3() throws Exception {
        int messages = quick ? 10_000 : 100_000;
        int epochs = quick ? 5 : 20;
        int reps = quick ? 2 : 3;
        double[] rate = new double[reps];
        double[] verify = new double[reps];
        for (int r = 0; r < reps; r++) {
            verify[r] = verifyLimit(quick ? Duration.ofSeconds(2) : Duration.ofSeconds(4));
            rate[r] = catchUp(work.resolve("p3-" + r), messages, epochs);
            log(String.format("p3 run %d: %.0f msgs/s caught up, verify limit %.0f/s", r + 1, rate[r], verify[r]));
        }
        double a = median(rate);
        double b = median(verify);
        put("p3", "messages", messages, "epochs", epochs, "msgs_per_s", round(a), "verify_limit_per_s", round(b),
                "ratio", round3(a / b));
        detail("p3", "runs", reps, "msgs_runs", Arrays.toString(roundAll(rate)), "verify_runs",
                Arrays.toString(roundAll(verify)), "verify_threads", Runtime.getRuntime().availableProcessors());
    }

    /** Ed25519 verifications per second (BouncyCastle through Ed25519.verifyRaw), one thread per core. */
    static double verifyLimit(Duration d) throws Exception {
        int threads = Runtime.getRuntime().availableProcessors();
        Identity id = Identity.generate(RANDOM);
        byte[] message = RANDOM.bytes(256);
        byte[] pk = id.publicKey().toByteArray();
        byte[] sig = Ed25519.signRaw(id.seed(), id.publicKey(), message);
        Ed25519.verifyRaw(pk, message, sig);
        // warm-up, then measure
        for (int i = 0; i < 300; i++) {
            Ed25519.verifyRaw(pk, message, sig);
        }
        AtomicLong total = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        long[] end = new long[1];
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            ts.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    long n = 0;
                    while (System.nanoTime() < end[0]) {
                        Ed25519.verifyRaw(pk, message, sig);
                        n++;
                    }
                    total.addAndGet(n);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        long t0 = System.nanoTime();
        end[0] = t0 + d.toNanos();
        start.countDown();
        for (Thread t : ts) {
            t.join();
        }
        return total.get() / seconds(t0);
    }

    /**
     * A member offline across {@code epochs} epochs and {@code messages} messages reconnects: seconds until it
     * has fetched, opened, verified and stored them all, as messages per second.
     */
    static double catchUp(Path dir, int messages, int epochs) throws Exception {
        Node host = startNode(dir.resolve("host"), "host", NodeConfig.Roles.HOST);
        Path mgrHome = dir.resolve("manager");
        Path memHome = dir.resolve("member");
        try {
            Node mgr = startNode(mgrHome, "manager", NodeConfig.Roles.MEMBER);
            Node mem = startNode(memHome, "member", NodeConfig.Roles.MEMBER);
            GroupId g = mgr.groups().create("p3", List.of(host.endpoint()), false, IMMEDIATE);
            mgr.groups().add(g, mem.endpoint(), Permission.WRITE);
            await(mem, () -> mem.groups().invites().stream().anyMatch(i -> i.id().equals(g)), "invite");
            mem.groups().accept(g);
            long first = mgr.groups().group(g).epoch();
            await(mem, () -> mem.groups().heldKeyEpochs(g).contains(first), "first key");
            for (int e = 1; e < epochs; e++) {
                mgr.groups().rotate(g);
                long now = mgr.groups().group(g).epoch();
                await(mem, () -> mem.groups().heldKeyEpochs(g).contains(now), "key of epoch " + now);
            }
            List<Long> held = mem.groups().heldKeyEpochs(g);
            mem.close();
            mgr.close();
            // the manager's keys and identity, read from its store while it is stopped
            NodeHome.Opened opened = NodeHome.open(mgrHome, PW);
            List<EpochKey> keys;
            Identity manager;
            try {
                keys = opened.db().read(tx -> tx.query(
                        "SELECT epoch, update_hash, key FROM group_keys WHERE group_id = ? ORDER BY epoch",
                        rs -> new EpochKey(g, rs.getLong(1), Bytes.wrap(rs.getBytes(2)), SecretBytes.adopt(rs.getBytes(3))),
                        g.bytes()));
                manager = opened.identity();
            } finally {
                opened.close();
            }
            List<EpochKey> used = keys.stream().filter(k -> held.contains(k.epoch())).toList();
            used = used.subList(Math.max(0, used.size() - epochs), used.size());
            if (used.size() != epochs) {
                throw new IllegalStateException("member holds " + used.size() + " of " + epochs + " epoch keys");
            }
            List<EpochKey> ks = used;
            Instant base = Instant.now().minusSeconds(3600);
            long s0 = System.nanoTime();
            List<GroupEnvelope> sealed = IntStream.range(0, messages).parallel().mapToObj(i -> GroupMessages.seal(
                    manager, ks.get((int) ((long) i * epochs / messages)), base.plusMillis(i), List.of(),
                    ChatOverlay.text(String.format("catch-up message %06d ", i) + "x".repeat(80)), Optional.empty(),
                    RANDOM)).toList();
            log(String.format("p3: sealed %d in %.1f s", messages, seconds(s0)));
            long r0 = System.nanoTime();
            long refused = relayAll(host.endpoint(), sealed, 8, 32);
            log(String.format("p3: relayed %d in %.1f s (%d refused)", messages, seconds(r0), refused));
            // the member reconnects; the clock runs from its start until it has stored every message
            long t0 = System.nanoTime();
            Node back = startNode(memHome, "member", NodeConfig.Roles.MEMBER);
            try {
                long deadline = t0 + Duration.ofMinutes(messages > 20_000 ? 30 : 5).toNanos();
                long interval = 100;
                int have = 0;
                while (have < messages) {
                    Thread.sleep(interval);
                    long c0 = System.nanoTime();
                    have = back.groups().messages(g).size();
                    long cost = (System.nanoTime() - c0) / 1_000_000;
                    interval = Math.max(100, cost * 10); // polling costs at most ~10 % of a core
                    progress(have, messages, seconds(t0));
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("catch-up timed out at " + have + " of " + messages);
                    }
                }
                double s = seconds(t0);
                System.err.println();
                return messages / s;
            } finally {
                back.close();
            }
        } finally {
            host.close();
            deleteTree(dir);
        }
    }

    static void progress(int have, int total, double s) {
        int width = 40;
        int filled = (int) ((long) width * have / total);
        System.err.printf("\r  catch-up [%s%s] %d/%d  %.1f s", "#".repeat(filled), ".".repeat(width - filled), have,
                total, s);
    }

    // ------------------------------------------------------------------------------------------------ P4

    void p4() throws Exception {
        int groups = 50;
        int epochsPerGroup = 5;
        int mine = quick ? 2_000 : 10_000;
        int memberGroups = 2;
        int total = mine * groups / memberGroups; // traffic spread evenly over all 50 groups
        Path dir = work.resolve("p4");
        Node host = startNode(dir.resolve("host"), "host", NodeConfig.Roles.HOST);
        try {
            EpochKey[][] keys = new EpochKey[groups][epochsPerGroup];
            for (int g = 0; g < groups; g++) {
                GroupId id = GroupId.random(RANDOM);
                for (int e = 0; e < epochsPerGroup; e++) {
                    keys[g][e] = new EpochKey(id, e + 1, Bytes.wrap(RANDOM.bytes(32)), EpochKey.fresh(RANDOM));
                }
            }
            Identity writer = Identity.generate(RANDOM);
            SplittableRandom sr = new SplittableRandom(7);
            // which group and epoch each envelope of the traffic belongs to, in relay order
            int[] group = new int[total];
            int[] epoch = new int[total];
            for (int i = 0; i < total; i++) {
                group[i] = i % groups;
                epoch[i] = sr.nextInt(epochsPerGroup);
            }
            for (int i = total - 1; i > 0; i--) { // shuffle the interleaving
                int j = sr.nextInt(i + 1);
                int t = group[i];
                group[i] = group[j];
                group[j] = t;
            }
            Instant base = Instant.now();
            // the member's groups: really sealed and signed; the other 48: envelopes of the same size under their
            // groups' real tags (to the member and the host, a sealed message under a key it lacks is random bytes)
            GroupEnvelope probe = GroupMessages.seal(writer, keys[0][0], base, List.of(), text(0), Optional.empty(),
                    RANDOM);
            int ctLen = probe.getCiphertext().size();
            GroupEnvelope[] all = new GroupEnvelope[total];
            IntStream.range(0, total).parallel().forEach(i -> {
                EpochKey k = keys[group[i]][epoch[i]];
                if (group[i] < memberGroups) {
                    all[i] = GroupMessages.seal(writer, k, base.plusMillis(i), List.of(), text(i), Optional.empty(),
                            RANDOM);
                } else {
                    all[i] = envelope(k.tag().toByteArray(), new SplittableRandom(i * 1_000_003L), ctLen);
                }
            });
            long r0 = System.nanoTime();
            // every envelope has the same size, so the order the host files them in changes neither side's bytes
            long refused = relayAll(host.endpoint(), Arrays.asList(all), 32, 16);
            log(String.format("p4: relayed %d envelopes for %d groups in %.1f s (%d refused)", total, groups,
                    seconds(r0), refused));

            // Hearth: tag-filtered fetches for the epochs the member holds keys of; every envelope received is opened
            Map<ByteString, EpochKey> byTag = new HashMap<>();
            List<EpochKey> held = new ArrayList<>();
            for (int g = 0; g < memberGroups; g++) {
                for (EpochKey k : keys[g]) {
                    byTag.put(WireCodec.bytes(k.tag()), k);
                    held.add(k);
                }
            }
            List<ByteString> tags = new ArrayList<>(byTag.keySet());
            long hearthBytes = 0;
            long hearthTrials = 0;
            long opened = 0;
            long pages = 0;
            try (HostClient member = new HostClient(host.endpoint(), RANDOM)) {
                long cursor = 0;
                while (true) {
                    HostClient.Fetched f = member.fetch(tags, cursor, 500);
                    FetchResponse resp = f.message().getFetchResponse();
                    if (resp.hasError()) {
                        Thread.sleep(100); // rate limited: try again
                        continue;
                    }
                    pages++;
                    hearthBytes += f.encodedBytes();
                    for (HostedEnvelope he : resp.getEnvelopesList()) {
                        hearthTrials++;
                        GroupMessages.open(he.getEnvelope(), byTag.get(he.getEnvelope().getTag()));
                        opened++;
                    }
                    cursor = resp.getNextCursor();
                    if (!resp.getMore()) {
                        break;
                    }
                }
            }
            if (opened != mine) {
                throw new IllegalStateException("member opened " + opened + " of " + mine);
            }
            // naive (legacy): every envelope since the cursor, in pages as large as the host's, and a trial
            // decryption of each with every key held until one opens
            long naiveBytes = 0;
            long naiveTrials = 0;
            long naiveTrialsOneKeyPerGroup = 0;
            int pageBudget = 56 * 1024 - 1024;
            FetchResponse.Builder page = FetchResponse.newBuilder().setRequestId(1);
            int pageBytes = 0;
            for (int i = 0; i < total; i++) {
                GroupEnvelope e = all[i];
                int size = e.getSerializedSize() + 32;
                if (page.getEnvelopesCount() == 500 || pageBytes + size > pageBudget) {
                    naiveBytes += naivePage(page, i, true);
                    page = FetchResponse.newBuilder().setRequestId(1);
                    pageBytes = 0;
                }
                page.addEnvelopes(HostedEnvelope.newBuilder().setSeq(i + 1).setEnvelope(e));
                pageBytes += size;
                // trials: keys in a fixed order, group by group, epoch by epoch
                if (group[i] < memberGroups) {
                    naiveTrials += (long) group[i] * epochsPerGroup + epoch[i] + 1;
                    naiveTrialsOneKeyPerGroup += group[i] + 1;
                } else {
                    naiveTrials += held.size();
                    naiveTrialsOneKeyPerGroup += memberGroups;
                }
            }
            naiveBytes += naivePage(page, total, false);
            put("p4", "groups", groups, "hearth_bytes", hearthBytes, "naive_bytes", naiveBytes, "hearth_trials",
                    hearthTrials, "naive_trials", naiveTrials);
            detail("p4", "member_groups", memberGroups, "epochs_per_group", epochsPerGroup, "keys_held", held.size(),
                    "new_messages_for_member", mine, "envelopes_on_host", total, "hearth_pages", pages,
                    "bytes_ratio", round3((double) naiveBytes / hearthBytes), "trials_ratio",
                    round3((double) naiveTrials / hearthTrials), "naive_trials_one_key_per_group",
                    naiveTrialsOneKeyPerGroup, "trials_ratio_one_key_per_group",
                    round3((double) naiveTrialsOneKeyPerGroup / hearthTrials));
        } finally {
            host.close();
            deleteTree(dir);
        }
    }

    private static long naivePage(FetchResponse.Builder page, long lastSeq, boolean more) {
        page.setNextCursor(lastSeq).setMore(more);
        return WireCodec.encode(PeerMessage.newBuilder().setVersion(WireCodec.VERSION).setFetchResponse(page).build())
                .length;
    }

    private static ChatOverlay text(int i) {
        return ChatOverlay.text(String.format("message %07d ", i) + "y".repeat(80));
    }

    // ------------------------------------------------------------------------------------------------ P6

    void p6() throws Exception {
        int targetGroups = quick ? 1_000 : 10_000;
        int members = 100;
        Duration budget = quick ? Duration.ofSeconds(90) : Duration.ofMinutes(10);
        Path home = work.resolve("p6-manager");
        // 99 other members per group (the same 99 identities in every group; they never come online)
        List<Endpoint> others = new ArrayList<>();
        for (int i = 0; i < members - 1; i++) {
            others.add(new Endpoint(Identity.generate(RANDOM).address(), "127.0.0.1", 9));
        }
        // changes made within 2 s of the group's first epoch go out together in its second epoch
        GroupPolicy policy = new GroupPolicy(Duration.ZERO, 0, Duration.ofSeconds(2), KeyCatchup.SINCE_JOIN,
                Duration.ofDays(7));
        double baseline = heapAfterGcMb();
        Node mgr = startNode(home, "manager", NodeConfig.Roles.MEMBER);
        boolean[] mgrOpen = {true};
        AtomicInteger created = new AtomicInteger();
        long t0 = System.nanoTime();
        long deadline = t0 + budget.toNanos();
        List<Thread> threads = new ArrayList<>();
        int workers = 4;
        try {
            for (int w = 0; w < workers; w++) {
                threads.add(Thread.ofVirtual().start(() -> {
                    while (System.nanoTime() < deadline) {
                        int n = created.getAndIncrement();
                        if (n >= targetGroups) {
                            created.decrementAndGet();
                            return;
                        }
                        GroupId g = mgr.groups().create("g" + n, List.of(mgr.endpoint()), true, policy);
                        for (Endpoint e : others) {
                            mgr.groups().add(g, e, Permission.WRITE);
                        }
                        if (n % 50 == 0) {
                            System.err.printf("\r  p6: %d groups created, %.0f s", n, seconds(t0));
                        }
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            int reached = created.get();
            double createS = seconds(t0);
            System.err.println();
            log(String.format("p6: created %d groups x %d members in %.0f s", reached, members, createS));
            // wait until every group's additions went out in an epoch (the manager's sweep issues them)
            long w0 = System.nanoTime();
            boolean allIssued = mgr.changes().awaitCondition(
                    () -> mgr.groups().groups().stream().allMatch(r -> r.pending().isEmpty()), Duration.ofMinutes(5));
            log(String.format("p6: pending changes issued: %s after %.0f s", allIssued, seconds(w0)));
            mgr.close();
            mgrOpen[0] = false;
            // the managed host restarts and sits idle
            Node idle = startNode(home, "manager", NodeConfig.Roles.MEMBER);
            try {
                int listed = idle.groups().groups().size();
                Thread.sleep(quick ? 5_000 : 15_000);
                double heap = heapAfterGcMb();
                put("p6", "groups", reached, "members", members, "heap_mb", round(heap));
                detail("p6", "target_groups", targetGroups, "groups_after_restart", listed, "create_seconds",
                        round(createS), "all_changes_issued", allIssued, "heap_mb_before_node", round(baseline),
                        "heap_mb_node_only", round(heap - baseline), "max_heap_mb",
                        round(Runtime.getRuntime().maxMemory() / 1048576.0));
            } finally {
                idle.close();
            }
        } finally {
            if (mgrOpen[0]) {
                mgr.close();
            }
            deleteTree(home);
        }
    }

    static double heapAfterGcMb() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0;
    }

    // ------------------------------------------------------------------------------------------------ common

    static Node startNode(Path home, String name, NodeConfig.Roles roles) throws Exception {
        if (!NodeHome.exists(home)) {
            Files.createDirectories(home.getParent());
            NodeHome.init(home, PW, name, RANDOM, PassphraseKdf.FAST);
        }
        return Node.start(NodeConfig.of(home, PW, new HostPort("127.0.0.1", 0)).withRoles(roles));
    }

    static void await(Node n, BooleanSupplier c, String what) throws InterruptedException {
        if (!n.changes().awaitCondition(c, Duration.ofSeconds(60))) {
            throw new IllegalStateException("timed out waiting for " + what);
        }
    }

    static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static long round(double d) {
        return Math.round(d);
    }

    static double round3(double d) {
        return Math.round(d * 1000) / 1000.0;
    }

    static long[] roundAll(double[] xs) {
        return Arrays.stream(xs).mapToLong(Math::round).toArray();
    }

    static void log(String s) {
        System.err.println("[scenarios] " + s);
    }

    private void put(String p, Object... kv) {
        results.put(p, map(kv));
    }

    private void detail(String p, Object... kv) {
        details.put(p, map(kv));
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    // ------------------------------------------------------------------------------------------------ output

    static Map<String, Object> machine() {
        String model = "unknown";
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            model = lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown");
        } catch (IOException | UncheckedIOException e) {
            // not Linux: leave it unknown
        }
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return map("cores", Runtime.getRuntime().availableProcessors(), "cpu_model", model, "jdk",
                System.getProperty("java.vm.vendor") + " " + Runtime.version(), "os",
                System.getProperty("os.name") + " " + System.getProperty("os.version"), "load_average_at_end",
                round3(load), "max_heap_mb", round(Runtime.getRuntime().maxMemory() / 1048576.0));
    }

    private void write(Path out) throws IOException {
        Files.createDirectories(out);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("mode", quick ? "quick" : "full");
        root.put("written_at", Instant.now().toString());
        root.put("machine", machine());
        root.putAll(results);
        root.put("details", details);
        Files.writeString(out.resolve("latest.json"), json(root, "") + "\n");
        Files.writeString(out.resolve("latest.md"), markdown(root));
    }

    @SuppressWarnings("unchecked")
    static String json(Object v, String indent) {
        if (v instanceof Map<?, ?> m) {
            StringBuilder b = new StringBuilder("{\n");
            String in = indent + "  ";
            int i = 0;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                b.append(in).append('"').append(e.getKey()).append("\": ").append(json(e.getValue(), in));
                b.append(++i < m.size() ? ",\n" : "\n");
            }
            return b.append(indent).append('}').toString();
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        return '"' + v.toString().replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    @SuppressWarnings("unchecked")
    private String markdown(Map<String, Object> root) {
        StringBuilder b = new StringBuilder("# Scenario benchmarks: latest run\n\n");
        b.append(quick ? "**QUICK MODE**: smaller sizes and fewer repetitions than the issue asks; not the targets' sizes.\n\n"
                : "Full mode (the issue's sizes, except where `details` says otherwise).\n\n");
        Map<String, Object> m = (Map<String, Object>) root.get("machine");
        b.append("Machine: ").append(m.get("cores")).append(" cores, ").append(m.get("cpu_model")).append(", JDK ")
                .append(m.get("jdk")).append(", ").append(m.get("os")).append(", load average at end ")
                .append(m.get("load_average_at_end")).append(", max heap ").append(m.get("max_heap_mb"))
                .append(" MiB. Written ").append(root.get("written_at")).append(".\n\n");
        b.append("| scenario | figures | target | met |\n|---|---|---|---|\n");
        for (String p : List.of("p2", "p3", "p4", "p6")) {
            Map<String, Object> r = results.get(p);
            if (r == null) {
                b.append("| ").append(p).append(" | not run | | |\n");
                continue;
            }
            String target;
            boolean met;
            switch (p) {
                case "p2" -> {
                    target = "ratio >= 0.4";
                    met = ((Number) r.get("ratio")).doubleValue() >= 0.4;
                }
                case "p3" -> {
                    target = "ratio >= 0.6";
                    met = ((Number) r.get("ratio")).doubleValue() >= 0.6;
                }
                case "p4" -> {
                    target = ">= 10x fewer bytes and trials";
                    met = ((Number) r.get("naive_bytes")).doubleValue() >= 10 * ((Number) r.get("hearth_bytes")).doubleValue()
                            && ((Number) r.get("naive_trials")).doubleValue() >= 10
                                    * ((Number) r.get("hearth_trials")).doubleValue();
                }
                default -> {
                    target = "heap <= 1024 MiB at 10,000 x 100";
                    met = ((Number) r.get("heap_mb")).doubleValue() <= 1024 && ((Number) r.get("groups")).intValue() >= 10_000;
                }
            }
            StringBuilder f = new StringBuilder();
            r.forEach((k, v) -> f.append(f.isEmpty() ? "" : ", ").append('`').append(k).append("` ").append(v));
            b.append("| ").append(p.toUpperCase(Locale.ROOT)).append(" | ").append(f).append(" | ").append(target)
                    .append(" | ").append(met ? "yes" : "**no**").append(" |\n");
        }
        b.append("\nDetails (runs behind the medians, sizes):\n\n");
        details.forEach((p, d) -> {
            b.append("* ").append(p.toUpperCase(Locale.ROOT)).append(": ");
            StringBuilder f = new StringBuilder();
            d.forEach((k, v) -> f.append(f.isEmpty() ? "" : ", ").append(k).append(' ').append(v));
            b.append(f).append('\n');
        });
        return b.toString();
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // best effort
        }
    }
}
