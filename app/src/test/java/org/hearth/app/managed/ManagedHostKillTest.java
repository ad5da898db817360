package org.hearth.app.managed;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.hearth.app.testkit.ChildNode;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.bytes.SecretBytes;
import org.hearth.core.chat.ChatOverlay;
import org.hearth.core.crypto.PassphraseKdf;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.group.EpochKey;
import org.hearth.core.group.GroupId;
import org.hearth.core.group.GroupMessages;
import org.hearth.core.identity.Endpoint;
import org.hearth.core.identity.HostPort;
import org.hearth.core.identity.Identity;
import org.hearth.core.wire.WireCodec;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.hearth.core.wire.proto.HostError;
import org.hearth.core.wire.proto.HostedEnvelope;
import org.hearth.core.wire.proto.RelayResponse;
import org.hearth.node.Node;
import org.hearth.node.NodeConfig;
import org.hearth.node.NodeHome;
import org.hearth.node.managed.RawHostClient;
import org.hearth.node.store.Database;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;


/**
 * Durability of a managed host under SIGKILL: alice runs `hearth run` and hosts her own group; 64 writers relay
 * into it concurrently over their own channels (group commit), and alice's process is killed mid-stream. After a
 * restart on the same port, every envelope she acknowledged is served, none twice; re-relaying everything
 * (the writers' retry) stores each missing one once and duplicates nothing.
 *
 * <p>The writers are raw host clients, except writer 0, which is first a real in-test member node: it joins
 * like any member and receives the epoch key, from which all writers seal valid envelopes (the host checks
 * only the tag and the caller's permission; valid envelopes also let alice's own member role read them).
 */
@Timeout(120)
class ManagedHostKillTest {
    private static final int WRITERS = 64;
    private static final int WINDOW = 4;
    private static final int ACKS_BEFORE_KILL = 1500;
    private static final Duration WAIT = Duration.ofSeconds(45);
    private static final RandomSource RANDOM = RandomSource.secure();

    @TempDir
    Path dir;

    @Test
    void relay_64WritersHostKilledMidStream_everyAcknowledgedEnvelopeServedOnce() throws Exception {
        Path aliceHome = dir.resolve("alice");
        NodeHome.init(aliceHome, ChildNode.PASSPHRASE.toCharArray(), "alice", RANDOM, PassphraseKdf.FAST);
        try (ChildNode alice = ChildNode.start("alice", aliceHome)) {
            Endpoint aliceAt = Endpoint.parse(alice.endpoint());
            GroupId g = GroupId.parse(alice.api().post("/v1/groups", Map.of("name", "kill-test", "host", "self"))
                    .path("groupId").asText());
            List<Identity> writers = new ArrayList<>();
            EpochKey key = joinScout(alice, g, writers);

            Queue<GroupEnvelope> sent = new ConcurrentLinkedQueue<>();
            Queue<GroupEnvelope> acked = new ConcurrentLinkedQueue<>();
            Queue<HostError> refusals = new ConcurrentLinkedQueue<>();
            AtomicInteger ackCount = new AtomicInteger();
            CountDownLatch enough = new CountDownLatch(1);
            List<Thread> streams = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                Identity writer = writers.get(w);
                int n = w;
                streams.add(Thread.ofVirtual().name("writer-" + w).start(() -> stream(writer, n, aliceAt, key,
                        sent, acked, refusals, () -> {
                            if (ackCount.incrementAndGet() >= ACKS_BEFORE_KILL) {
                                enough.countDown();
                            }
                        })));
            }
            assertThat(enough.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("%d acknowledgements before the kill",
                    ACKS_BEFORE_KILL).isTrue();
            alice.kill();
            for (Thread t : streams) {
                assertThat(t.join(WAIT)).as("a writer notices the host is gone").isTrue();
            }
            Set<Bytes> ackedIds = ids(acked);
            Set<Bytes> sentIds = ids(sent);
            assertThat(refusals).as("refusals while streaming").isEmpty();
            assertThat(ackedIds).hasSizeGreaterThanOrEqualTo(ACKS_BEFORE_KILL);
            assertThat(sentIds).as("some were still in flight at the kill").hasSizeGreaterThan(ackedIds.size());

            alice.restart();
            try (RawHostClient reader = RawHostClient.dial(writers.get(0), aliceAt)) {
                List<HostedEnvelope> served = reader.fetchAll(List.of(WireCodec.bytes(key.tag())));
                List<Bytes> servedIds = served.stream().map(h -> GroupMessages.id(h.getEnvelope())).toList();
                assertThat(servedIds).as("none twice").doesNotHaveDuplicates();
                assertThat(served).map(HostedEnvelope::getSeq).doesNotHaveDuplicates();
                assertThat(servedIds).as("every acknowledged envelope survived the kill").containsAll(ackedIds);
                assertThat(sentIds).as("and nothing else is there").containsAll(servedIds);
                System.out.printf("kill test: %d relayed, %d acknowledged before SIGKILL, %d served after restart%n",
                        sentIds.size(), ackedIds.size(), servedIds.size());

                // the writers' retry: everything again, spread over 8 others (one channel per identity at the host)
                relayAll(writers.subList(1, 9), aliceAt, List.copyOf(sent), refusals);
                assertThat(refusals).as("refusals on retry").isEmpty();
                List<Bytes> after = reader.fetchAll(List.of(WireCodec.bytes(key.tag()))).stream()
                        .map(h -> GroupMessages.id(h.getEnvelope())).toList();
                assertThat(after).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(sentIds);
                assertThat(after.subList(0, servedIds.size())).as("what was there keeps its place")
                        .containsExactlyElementsOf(servedIds);
            }

            // alice is a member of her group too: her node reads every message exactly once
            awaitApi(alice, () -> alice.api().get("/v1/groups/" + g.hex() + "/messages", Map.of()).size()
                    >= sentIds.size(), "alice's member role reads all " + sentIds.size() + " messages");
            JsonNode messages = alice.api().get("/v1/groups/" + g.hex() + "/messages", Map.of());
            List<String> ids = new ArrayList<>();
            messages.forEach(m -> ids.add(m.path("id").asText()));
            assertThat(ids).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(
                    sentIds.stream().map(Bytes::hex).toList());
        }
    }

    /**
     * Adds writer 0 as a real member node and 63 raw identities as writers, turns the minimum rotation interval
     * off, and waits for the epoch that carries all of it (after the default 10 s minimum interval since the
     * group's creation); returns that epoch's key as writer 0's store holds it.
     */
    private EpochKey joinScout(ChildNode alice, GroupId g, List<Identity> writers) throws Exception {
        Path home = dir.resolve("scout");
        NodeHome.init(home, ChildNode.PASSPHRASE.toCharArray(), "scout", RANDOM, PassphraseKdf.FAST);
        long epoch;
        try (Node scout = Node.start(NodeConfig.of(home, ChildNode.PASSPHRASE.toCharArray(),
                new HostPort("127.0.0.1", 0)))) {
            writers.add(scout.identity());
            String members = "/v1/groups/" + g.hex() + "/members";
            alice.api().post(members, Map.of("endpoint", scout.endpoint().toString()));
            int nobody = closedPort();
            for (int i = 1; i < WRITERS; i++) {
                Identity w = Identity.generate(RANDOM);
                writers.add(w);
                Endpoint unreachable = new Endpoint(w.address(), "127.0.0.1", nobody);
                alice.api().post(members, Map.of("endpoint", unreachable.toString()));
            }
            alice.api().post("/v1/groups/" + g.hex() + "/policy", Map.of("minRotationInterval", "0s",
                    "rotateEvery", "0s", "rotateAfterMessages", "0"));
            await(scout, () -> scout.groups().invites().stream().anyMatch(i -> i.id().equals(g)), "scout's invite");
            scout.groups().accept(g);
            JsonNode status = alice.api().get("/v1/groups/" + g.hex() + "/status", Map.of());
            epoch = status.path("epoch").asLong();
            assertThat(status.path("policy").path("minRotationInterval").asText()).isEqualTo("0s");
            await(scout, () -> scout.groups().heldKeyEpochs(g).contains(epoch), "scout gets the key of epoch " + epoch);
            JsonNode roster = alice.api().get("/v1/groups/" + g.hex() + "/members", Map.of());
            long writing = 0;
            for (JsonNode m : roster) {
                writing += m.path("permission").asText().equals("write") ? 1 : 0;
            }
            assertThat(writing).as("64 writers and alice").isEqualTo(WRITERS + 1);
        }
        try (Database db = Database.open(home, ChildNode.PASSPHRASE.toCharArray(), PassphraseKdf.FAST)) {
            return db.read(tx -> tx.queryOne("SELECT update_hash, key FROM group_keys WHERE group_id = ? AND epoch = ?",
                    rs -> new EpochKey(g, epoch, Bytes.wrap(rs.getBytes(1)), SecretBytes.adopt(rs.getBytes(2))),
                    g.bytes(), epoch)).orElseThrow();
        }
    }

    /** One writer: relays sealed envelopes, {@link #WINDOW} in flight, until its channel dies. */
    private static void stream(Identity writer, int n, Endpoint host, EpochKey key, Queue<GroupEnvelope> sent,
            Queue<GroupEnvelope> acked, Queue<HostError> refusals, Runnable onAck) {
        AtomicBoolean lost = new AtomicBoolean();
        Semaphore window = new Semaphore(WINDOW);
        try (RawHostClient client = RawHostClient.dial(writer, host)) {
            for (int i = 0; !lost.get(); i++) {
                window.acquire();
                GroupEnvelope env = seal(writer, key, "writer " + n + " message " + i);
                sent.add(env);
                client.relayAsync(env).whenComplete((RelayResponse r, Throwable failure) -> {
                    if (failure != null) {
                        lost.set(true);
                    } else if (r.hasError()) {
                        refusals.add(r.getError());
                        lost.set(true);
                    } else {
                        acked.add(env);
                        onAck.run();
                    }
                    window.release();
                });
            }
            window.acquire(WINDOW); // the last answers (or failures) are in
        } catch (Exception e) {
            lost.set(true);
        }
    }

    private static void relayAll(List<Identity> by, Endpoint host, List<GroupEnvelope> all, Queue<HostError> refusals)
            throws Exception {
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < by.size(); w++) {
            List<GroupEnvelope> share = new ArrayList<>();
            for (int i = w; i < all.size(); i += by.size()) {
                share.add(all.get(i));
            }
            Identity writer = by.get(w);
            threads.add(Thread.ofVirtual().start(() -> {
                try (RawHostClient client = RawHostClient.dial(writer, host)) {
                    for (GroupEnvelope e : share) {
                        RelayResponse r = client.relay(e);
                        if (r.hasError()) {
                            refusals.add(r.getError());
                        }
                    }
                } catch (Exception e) {
                    refusals.add(HostError.newBuilder().setMessage("retry failed: " + e).build());
                }
            }));
        }
        for (Thread t : threads) {
            assertThat(t.join(WAIT)).isTrue();
        }
    }

    private static GroupEnvelope seal(Identity sender, EpochKey key, String text) {
        return GroupMessages.seal(sender, key, Instant.now(), List.of(), ChatOverlay.text(text), Optional.empty(),
                RANDOM);
    }

    private static Set<Bytes> ids(Queue<GroupEnvelope> envelopes) {
        return envelopes.stream().map(GroupMessages::id).collect(Collectors.toSet());
    }

    /** A loopback port nobody listens on: where the raw writers' invites go, and fail, for now. */
    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void await(Node n, BooleanSupplier condition, String what) throws InterruptedException {
        if (!n.changes().awaitCondition(condition, WAIT)) {
            throw new AssertionError("timed out waiting for: " + what);
        }
    }

    /** Waits on the process's change long poll (GET /v1/changes), never by sleeping. */
    private static void awaitApi(ChildNode n, BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            long version = n.api().get("/v1/changes", Map.of("after", "-1", "timeoutMs", "0")).path("version").asLong();
            if (condition.getAsBoolean()) {
                return;
            }
            long leftMs = (deadline - System.nanoTime()) / 1_000_000;
            if (leftMs <= 0) {
                throw new AssertionError("timed out waiting for: " + what + "\n" + n.log());
            }
            n.api().get("/v1/changes", Map.of("after", Long.toString(version), "timeoutMs",
                    Long.toString(Math.min(leftMs, 5_000))));
        }
    }
}
