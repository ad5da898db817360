package org.hearth.bench.scenarios;

import static org.hearth.bench.scenarios.Kit.*;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.bytes.SecretBytes;
import org.hearth.core.chat.ChatOverlay;
import org.hearth.core.crypto.Ed25519;
import org.hearth.core.group.EpochKey;
import org.hearth.core.group.GroupId;
import org.hearth.core.group.GroupMessages;
import org.hearth.core.group.Permission;
import org.hearth.core.identity.Identity;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.hearth.node.Node;
import org.hearth.node.NodeConfig;
import org.hearth.node.NodeHome;
import org.hearth.node.group.SyncProgress;

/** P3 catch-up: a member offline for many messages over many epochs reconnects. See docs/benchmarks.md. */
final class P3CatchUp implements Scenario {
    @Override
    public String key() {
        return "p3";
    }

    @Override
    public String target() {
        return "ratio >= 0.6";
    }

    @Override
    public boolean met(Map<String, Object> r) {
        return ((Number) r.get("ratio")).doubleValue() >= 0.6;
    }

    @Override
    public void run(Run run) throws Exception {
        int messages = run.quick() ? 10_000 : 100_000;
        int epochs = run.quick() ? 5 : 20;
        int reps = run.quick() ? 2 : 3;
        double[] rate = new double[reps];
        double[] verify = new double[reps];
        double[] busy = new double[reps];
        for (int r = 0; r < reps; r++) {
            verify[r] = verifyLimit(run.quick() ? Duration.ofSeconds(2) : Duration.ofSeconds(4));
            double[] caughtUp = catchUp(run.work().resolve("p3-" + r), messages, epochs);
            rate[r] = caughtUp[0];
            busy[r] = caughtUp[1];
            log(String.format("p3 run %d: %.0f msgs/s caught up (%.2f cores busy), verify limit %.0f/s", r + 1, rate[r],
                    busy[r], verify[r]));
        }
        double a = median(rate);
        double b = median(verify);
        run.put("messages", messages, "epochs", epochs, "msgs_per_s", round(a), "verify_limit_per_s", round(b),
                "ratio", round3(a / b));
        run.detail("runs", reps, "msgs_runs", Arrays.toString(roundAll(rate)), "verify_runs",
                Arrays.toString(roundAll(verify)), "verify_threads", Runtime.getRuntime().availableProcessors(),
                "catchup_cores_busy_runs", Arrays.toString(Arrays.stream(busy).map(x -> Math.round(x * 100) / 100.0)
                        .toArray()));
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
     * has fetched, opened, verified and stored them all, as messages per second; and the JVM's CPU time over that
     * wall time (cores busy: near the core count when the catch-up is bound by CPU, lower when it waits).
     */
    static double[] catchUp(Path dir, int messages, int epochs) throws Exception {
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
            log("p3: member restarts " + Instant.now() + " (wall clock, for profiles)");
            long t0 = System.nanoTime();
            long cpu0 = processCpuNanos();
            Node back = startNode(memHome, "member", NodeConfig.Roles.MEMBER);
            try {
                long deadline = t0 + Duration.ofMinutes(messages > 20_000 ? 30 : 5).toNanos();
                long stored = 0;
                while (stored < messages) {
                    Thread.sleep(50); // reads the fetch loop's in-memory progress: no store access
                    List<SyncProgress> sync = back.groups().sync(g);
                    stored = sync.stream().mapToLong(SyncProgress::stored).sum();
                    progress(stored, messages, seconds(t0));
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("catch-up timed out at " + stored + " of " + messages);
                    }
                }
                double s = seconds(t0);
                double cores = (processCpuNanos() - cpu0) / 1e9 / s;
                System.err.println();
                log(String.format("p3: caught up %s (wall clock), %.1f s", Instant.now(), s));
                long inStore = back.groups().messageCount(g); // outside the clock: every message is in the store
                if (inStore != messages) {
                    throw new IllegalStateException("the member holds " + inStore + " messages, expected " + messages);
                }
                return new double[] {messages / s, cores};
            } finally {
                back.close();
            }
        } finally {
            host.close();
            deleteTree(dir);
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static void progress(long have, long total, double s) {
        int width = 40;
        int filled = (int) ((long) width * have / total);
        System.err.printf("\r  catch-up [%s%s] %d/%d  %.1f s", "#".repeat(filled), ".".repeat(width - filled), have,
                total, s);
    }
}
