package org.hearth.bench.scenarios;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.hearth.core.crypto.PassphraseKdf;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.group.GroupPolicy;
import org.hearth.core.group.KeyCatchup;
import org.hearth.core.identity.Endpoint;
import org.hearth.core.identity.HostPort;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.hearth.node.Node;
import org.hearth.node.NodeConfig;
import org.hearth.node.NodeHome;

/** What the scenario benchmarks share: node start-up, relaying, timing, statistics and output helpers. */
final class Kit {
    static final char[] PW = "bench".toCharArray();
    static final RandomSource RANDOM = RandomSource.secure();
    /** Every change is an epoch at once (as in the demo). */
    static final GroupPolicy IMMEDIATE = new GroupPolicy(Duration.ZERO, 0, Duration.ZERO, KeyCatchup.SINCE_JOIN,
            Duration.ofDays(7));

    private Kit() {
    }

    static double num(Map<String, Object> r, String key) {
        return ((Number) r.get(key)).doubleValue();
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
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

    /**
     * Bytes this process has caused to be written to storage so far ({@code write_bytes} of /proc/self/io: the
     * store's WAL and checkpoint writes, fsynced), or -1 where the kernel does not say.
     */
    static long writtenBytes() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/io"))) {
                if (l.startsWith("write_bytes:")) {
                    return Long.parseLong(l.substring("write_bytes:".length()).trim());
                }
            }
        } catch (IOException | UncheckedIOException | NumberFormatException e) {
            // not Linux
        }
        return -1;
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
        if (v instanceof List<?> l) {
            StringBuilder b = new StringBuilder("[\n");
            String in = indent + "  ";
            for (int i = 0; i < l.size(); i++) {
                b.append(in).append(json(l.get(i), in)).append(i + 1 < l.size() ? ",\n" : "\n");
            }
            return b.append(indent).append(']').toString();
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        return '"' + v.toString().replace("\\", "\\\\").replace("\"", "\\\"") + '"';
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
