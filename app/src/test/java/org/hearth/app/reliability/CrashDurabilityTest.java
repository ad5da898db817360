package org.hearth.app.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.hearth.core.crypto.PassphraseKdf;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.Endpoint;
import org.hearth.core.identity.Identity;
import org.hearth.core.wire.WireCodec;
import org.hearth.core.wire.proto.FetchRequest;
import org.hearth.core.wire.proto.FetchResponse;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.hearth.core.wire.proto.HostedEnvelope;
import org.hearth.core.wire.proto.PeerMessage;
import org.hearth.core.wire.proto.RelayRequest;
import org.hearth.node.NodeHome;
import org.hearth.node.transport.Connection;
import org.hearth.node.transport.TcpTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * R1 crash durability (docs/reliability.md): an untrusted host in its own OS process ({@code hearth host}) is
 * killed with SIGKILL at a random moment while several raw clients relay envelopes to it concurrently, then
 * restarted on the same home. After every restart a fresh client fetches everything under the tags used and
 * checks the host's promise (protocol.md §8): every envelope whose relay was answered without error (committed)
 * is there, and no envelope is there twice, although clients also re-relay envelopes acknowledged before earlier
 * crashes. Envelopes in flight at the kill may or may not be there; that is counted, not judged.
 *
 * <p>{@code -Dhearth.crashRounds=N} (default 3, the CI mode; 20 for the long mode), {@code -Dhearth.seed=S}
 * replays the kill moments and the client traffic (not the host's timing). Per-round counts are printed and
 * written to {@code target/reliability/r1.json}.
 */
class CrashDurabilityTest {
    private static final String PASSPHRASE = "crash durability passphrase";
    private static final int CLIENTS = 4;
    /** Relays in flight per client: enough that kills land between a commit and its answers. */
    private static final int WINDOW = 32;
    private static final int TAGS = 8;
    /** Share of relays that re-send an envelope already acknowledged (before an earlier crash). */
    private static final double RESEND_SHARE = 0.05;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration ROUND_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    /** One relayed envelope, keyed by its random nonce (unique per envelope). */
    private record Sent(String key, GroupEnvelope envelope) {
    }

    private record RoundResult(int round, int killAfterSent, long sent, long resent, int ackedInRound,
            int ackedTotal, int refused, int present, int duplicates, int missing, int inFlightKept) {
    }

    @Test
    void hostKilledDuringIngest_everyAcknowledgedEnvelopeIsThereOnce() throws Exception {
        int rounds = Integer.getInteger("hearth.crashRounds", 3);
        long seed = Long.getLong("hearth.seed", new Random().nextLong());
        Random random = new Random(seed);
        Path home = dir.resolve("host");
        NodeHome.init(home, PASSPHRASE.toCharArray(), "host", RandomSource.secure(), PassphraseKdf.FAST);
        List<byte[]> tags = new ArrayList<>();
        for (int i = 0; i < TAGS; i++) {
            tags.add(bytes(random, 16));
        }
        Map<String, GroupEnvelope> acked = new ConcurrentHashMap<>();
        Map<String, GroupEnvelope> everSent = new ConcurrentHashMap<>();
        List<RoundResult> results = new ArrayList<>();
        long started = System.nanoTime();
        HostProcess host = HostProcess.start(home, 0);
        try {
            for (int round = 1; round <= rounds; round++) {
                int killAfter = 100 + random.nextInt(3900);
                Round r = new Round(host.endpoint(), tags, new ArrayList<>(acked.values()), new Random(random.nextLong()),
                        killAfter);
                r.run(host);
                acked.putAll(r.acked);
                everSent.putAll(r.sent);
                host = HostProcess.start(home, host.endpoint().port());
                Map<String, Integer> present = fetchAll(host.endpoint(), tags);
                int duplicates = (int) present.values().stream().filter(n -> n > 1).count();
                int missing = (int) acked.keySet().stream().filter(k -> !present.containsKey(k)).count();
                int inFlightKept = (int) r.unanswered.stream().filter(present::containsKey).count();
                RoundResult rr = new RoundResult(round, killAfter, r.sentCount.get(), r.resentCount.get(),
                        r.acked.size(), acked.size(), r.refused.get(), present.size(), duplicates, missing, inFlightKept);
                results.add(rr);
                System.out.printf("R1 round %d: kill after %d sent; sent %d (resent %d), acked %d (total %d), refused %d;"
                        + " after restart present %d, missing %d, duplicates %d, unanswered kept %d/%d%n", round,
                        killAfter, rr.sent(), rr.resent(), rr.ackedInRound(), rr.ackedTotal(), rr.refused(), rr.present(),
                        rr.missing(), rr.duplicates(), inFlightKept, r.unanswered.size());
                assertThat(present.keySet()).as("every present envelope was sent by a client")
                        .allMatch(everSent::containsKey);
            }
        } finally {
            host.kill();
            write(seed, rounds, results, Duration.ofNanos(System.nanoTime() - started));
        }
        for (RoundResult r : results) {
            assertThat(r.missing()).as("round %d: acknowledged envelopes missing after restart (seed %d)", r.round(), seed)
                    .isZero();
            assertThat(r.duplicates()).as("round %d: envelopes stored twice (seed %d)", r.round(), seed).isZero();
            assertThat(r.ackedInRound()).as("round %d acknowledged something before the kill", r.round()).isPositive();
        }
    }

    /** One round: clients relay until {@code killAfter} relays were sent in total, then the host is killed. */
    private static final class Round {
        final Endpoint endpoint;
        final List<byte[]> tags;
        final List<GroupEnvelope> resendable;
        final Random random;
        final int killAfter;
        final Map<String, GroupEnvelope> sent = new ConcurrentHashMap<>();
        final Map<String, GroupEnvelope> acked = new ConcurrentHashMap<>();
        final List<String> unanswered = new ArrayList<>();
        final AtomicLong sentCount = new AtomicLong();
        final AtomicLong resentCount = new AtomicLong();
        final AtomicInteger refused = new AtomicInteger();
        final CountDownLatch killNow = new CountDownLatch(1);

        Round(Endpoint endpoint, List<byte[]> tags, List<GroupEnvelope> resendable, Random random, int killAfter) {
            this.endpoint = endpoint;
            this.tags = tags;
            this.resendable = resendable;
            this.random = random;
            this.killAfter = killAfter;
        }

        void run(HostProcess host) throws Exception {
            List<Client> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                clients.add(new Client(this, new Random(random.nextLong())));
            }
            List<Thread> threads = clients.stream().map(c -> Thread.ofVirtual().name("r1-client").start(c::run)).toList();
            boolean reached = killNow.await(ROUND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            host.kill();
            for (Thread t : threads) {
                t.join(ROUND_TIMEOUT.toMillis());
            }
            assertThat(reached).as("clients sent %d relays before the kill moment", killAfter).isTrue();
            for (Client c : clients) {
                unanswered.addAll(c.pending.values());
            }
        }

        /** The kill moment: {@code killAfter} relays sent and at least one answered (so the round tests something). */
        void onSent() {
            if (sentCount.incrementAndGet() >= killAfter && !acked.isEmpty()) {
                killNow.countDown();
            }
        }

        void onAcked(String key, GroupEnvelope e) {
            acked.put(key, e);
            if (sentCount.get() >= killAfter) {
                killNow.countDown();
            }
        }
    }

    /** A raw client: its own identity and channel; pipelined relays, answers matched by request id. */
    private static final class Client {
        final Round round;
        final Random random;
        final Map<Long, String> pending = new ConcurrentHashMap<>();
        final Semaphore window = new Semaphore(WINDOW);
        volatile boolean dead;

        Client(Round round, Random random) {
            this.round = round;
            this.random = random;
        }

        void run() {
            RandomSource rs = random::nextBytes;
            try (TcpTransport transport = new TcpTransport(Identity.generate(rs), rs);
                    Connection c = transport.dial(round.endpoint)) {
                Thread reader = Thread.ofVirtual().name("r1-reader").start(() -> read(c));
                long requestId = 0;
                while (!dead) {
                    if (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                        continue;
                    }
                    GroupEnvelope e = nextEnvelope();
                    String key = key(e);
                    requestId++;
                    pending.put(requestId, key);
                    round.sent.put(key, e);
                    c.send(WireCodec.encode(PeerMessage.newBuilder().setVersion(WireCodec.VERSION)
                            .setRelayRequest(RelayRequest.newBuilder().setRequestId(requestId).setEnvelope(e)).build()));
                    round.onSent();
                }
                reader.join();
            } catch (IOException | org.hearth.core.channel.HandshakeException e) {
                dead = true; // the host was killed: what was answered before counts, the rest is in flight
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private GroupEnvelope nextEnvelope() {
            synchronized (round.resendable) {
                if (!round.resendable.isEmpty() && random.nextDouble() < RESEND_SHARE) {
                    round.resentCount.incrementAndGet();
                    return round.resendable.get(random.nextInt(round.resendable.size()));
                }
            }
            return GroupEnvelope.newBuilder()
                    .setTag(com.google.protobuf.ByteString.copyFrom(round.tags.get(random.nextInt(round.tags.size()))))
                    .setNonce(com.google.protobuf.ByteString.copyFrom(bytes(random, 24)))
                    .setCiphertext(com.google.protobuf.ByteString.copyFrom(bytes(random, 16 + random.nextInt(240))))
                    .build();
        }

        private void read(Connection c) {
            try {
                while (true) {
                    PeerMessage m = WireCodec.decode(c.receive());
                    if (!m.hasRelayResponse()) {
                        continue; // Hello and the like
                    }
                    String key = pending.remove(m.getRelayResponse().getRequestId());
                    if (key == null) {
                        continue;
                    }
                    if (m.getRelayResponse().hasError()) {
                        round.refused.incrementAndGet();
                    } else {
                        round.onAcked(key, round.sent.get(key));
                    }
                    window.release();
                }
            } catch (IOException | org.hearth.core.wire.MalformedMessageException e) {
                dead = true;
            }
        }
    }

    /** Everything the host holds under {@code tags}, counted per envelope (nonce); a new caller each time. */
    private static Map<String, Integer> fetchAll(Endpoint endpoint, List<byte[]> tags) throws Exception {
        RandomSource rs = RandomSource.secure();
        Map<String, Integer> count = new HashMap<>();
        try (TcpTransport transport = new TcpTransport(Identity.generate(rs), rs); Connection c = transport.dial(endpoint)) {
            long cursor = 0;
            long requestId = 0;
            boolean more = true;
            while (more) {
                FetchRequest.Builder req = FetchRequest.newBuilder().setRequestId(++requestId).setCursor(cursor)
                        .setLimit(WireCodec.MAX_FETCH_LIMIT).setWaitMs(0);
                tags.forEach(t -> req.addTags(com.google.protobuf.ByteString.copyFrom(t)));
                c.send(WireCodec.encode(PeerMessage.newBuilder().setVersion(WireCodec.VERSION).setFetchRequest(req).build()));
                FetchResponse resp = awaitFetch(c, requestId);
                assertThat(resp.hasError()).as("fetch refused: %s", resp.getError().getMessage()).isFalse();
                long lastSeq = cursor;
                for (HostedEnvelope he : resp.getEnvelopesList()) {
                    assertThat(he.getSeq()).as("seqs ascend").isGreaterThan(lastSeq);
                    lastSeq = he.getSeq();
                    count.merge(key(he.getEnvelope()), 1, Integer::sum);
                }
                cursor = resp.getNextCursor();
                more = resp.getMore();
            }
        }
        return count;
    }

    private static FetchResponse awaitFetch(Connection c, long requestId) throws Exception {
        while (true) {
            PeerMessage m = WireCodec.decode(c.receive());
            if (m.hasFetchResponse() && m.getFetchResponse().getRequestId() == requestId) {
                return m.getFetchResponse();
            }
        }
    }

    private static String key(GroupEnvelope e) {
        return HexFormat.of().formatHex(e.getNonce().toByteArray());
    }

    private static byte[] bytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private static void write(long seed, int rounds, List<RoundResult> results, Duration took) throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.put("suite", "R1 crash durability");
        root.put("seed", seed);
        root.put("rounds", rounds);
        root.put("clients", CLIENTS);
        root.put("window_per_client", WINDOW);
        root.put("seconds", took.toMillis() / 1000.0);
        ArrayNode arr = root.putArray("per_round");
        for (RoundResult r : results) {
            ObjectNode o = arr.addObject();
            o.put("round", r.round());
            o.put("kill_after_sent", r.killAfterSent());
            o.put("sent", r.sent());
            o.put("resent", r.resent());
            o.put("acked", r.ackedInRound());
            o.put("acked_total", r.ackedTotal());
            o.put("refused", r.refused());
            o.put("present", r.present());
            o.put("missing", r.missing());
            o.put("duplicates", r.duplicates());
            o.put("unanswered_kept", r.inFlightKept());
        }
        Path out = Path.of(System.getProperty("basedir", "."), "target", "reliability");
        Files.createDirectories(out);
        json.writeValue(out.resolve("r1.json").toFile(), root);
    }

    /** {@code hearth host} in its own OS process, so that it can be killed with SIGKILL. */
    private static final class HostProcess {
        private final Process process;
        private final Endpoint endpoint;

        private HostProcess(Process process, Endpoint endpoint) {
            this.process = process;
            this.endpoint = endpoint;
        }

        static HostProcess start(Path home, int port) throws Exception {
            String java = ProcessHandle.current().info().command().orElse("java");
            ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    "org.hearth.app.Main", "host", "--home", home.toString(), "--listen", "127.0.0.1:" + port);
            pb.environment().put("HEARTH_PASSPHRASE", PASSPHRASE);
            pb.redirectError(ProcessBuilder.Redirect.appendTo(home.resolve("host.log").toFile()));
            Process p = pb.start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (IOException e) {
                    return null;
                }
            });
            String first = line.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (first == null || !first.startsWith("listening ")) {
                p.destroyForcibly();
                throw new IllegalStateException("host did not start: " + first + "\n"
                        + Files.readString(home.resolve("host.log")));
            }
            return new HostProcess(p, Endpoint.parse(first.substring("listening ".length())));
        }

        Endpoint endpoint() {
            return endpoint;
        }

        /** SIGKILL: no shutdown hook runs; only what was committed survives. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor();
        }
    }
}
