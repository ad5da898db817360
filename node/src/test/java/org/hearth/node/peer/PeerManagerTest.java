package org.hearth.node.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.Endpoint;
import org.hearth.core.identity.HostPort;
import org.hearth.core.identity.Identity;
import org.hearth.core.wire.proto.PeerMessage;
import org.hearth.node.Changes;
import org.hearth.node.testkit.MutableClock;
import org.hearth.node.testkit.Sockets;
import org.hearth.node.testkit.TestNodes;
import org.hearth.node.testkit.Wire;
import org.hearth.node.transport.Connection;
import org.hearth.node.transport.TcpTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The peer manager with real transports but no store: two sides whose channels the test dials and hands over
 * itself, so the order in which duplicates register on each side is chosen, not left to the scheduler.
 */
class PeerManagerTest {
    private static final RandomSource RANDOM = RandomSource.secure();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeables.reversed()) {
            c.close();
        }
    }

    /** The channel dialled by the lower address is X, the other Y; each side registers them in a chosen order. */
    @ParameterizedTest(name = "lower registers X first: {0}, higher registers X first: {1}")
    @CsvSource({"true,true", "true,false", "false,true", "false,false"})
    void register_bothSidesDialledEachOther_bothKeepChannelDialledByLowerAddress(boolean lowerXFirst,
            boolean higherXFirst) throws Exception {
        Pair p = orderedPair();
        Side lower = p.lower();
        Side higher = p.higher();

        Connection xAtLower = lower.dial(higher);
        Connection xAtHigher = higher.nextInbound();
        Connection yAtHigher = higher.dial(lower);
        Connection yAtLower = lower.nextInbound();

        registerInOrder(lower.peers, lowerXFirst, xAtLower, yAtLower);
        registerInOrder(higher.peers, higherXFirst, xAtHigher, yAtHigher);

        assertThat(yAtLower.isClosed()).as("lower closed the channel the higher address dialled").isTrue();
        assertThat(yAtHigher.isClosed()).as("higher closed the channel it dialled itself").isTrue();
        assertThat(xAtLower.isClosed()).isFalse();
        assertThat(xAtHigher.isClosed()).isFalse();
        assertPingsBothWays(lower, higher);
    }

    @Test
    void register_duplicateAfterRaceWindow_replacesExistingChannelOnBothSides() throws Exception {
        Pair p = orderedPair();
        Side lower = p.lower();
        Side higher = p.higher();
        Connection xAtLower = lower.dial(higher);
        Connection xAtHigher = higher.nextInbound();
        lower.peers.accept(xAtLower);
        higher.peers.accept(xAtHigher);

        // The higher side "restarted" and dials again long after X came up: that is a reconnect, not a race.
        Duration later = Duration.ofMillis(PeerManager.RACE_WINDOW_MS + 1_000);
        lower.clock.advance(later);
        higher.clock.advance(later);
        Connection yAtHigher = higher.dial(lower);
        Connection yAtLower = lower.nextInbound();
        lower.peers.accept(yAtLower);
        higher.peers.accept(yAtHigher);

        assertThat(xAtLower.isClosed()).isTrue();
        assertThat(xAtHigher.isClosed()).isTrue();
        assertThat(yAtLower.isClosed()).isFalse();
        assertThat(yAtHigher.isClosed()).isFalse();
        assertPingsBothWays(lower, higher);
    }

    @Test
    void connect_bothSidesAtOnce_convergeOnOneChannelThatCarriesMessagesBothWays() throws Exception {
        for (int round = 0; round < 20; round++) {
            Side a = side();
            Side b = side();
            a.knows(b);
            b.knows(a);
            a.registerInboundAutomatically();
            b.registerInboundAutomatically();

            Thread ta = Thread.ofVirtual().unstarted(() -> a.peers.connect(b.address()));
            Thread tb = Thread.ofVirtual().unstarted(() -> b.peers.connect(a.address()));
            ta.start();
            tb.start();
            ta.join();
            tb.join();

            a.await("a connected", () -> a.peers.isConnected(b.address()));
            b.await("b connected", () -> b.peers.isConnected(a.address()));
            Side lower = a.address().compareTo(b.address()) < 0 ? a : b;
            Side higher = lower == a ? b : a;
            // Every channel shows up as inbound on the side that did not dial it. Settled means: one channel
            // left open, and it is the lower address's if both dialled.
            eventually(a, "round " + round + ": one channel left, the one the lower address dialled", () -> {
                List<Connection> open = new ArrayList<>();
                lower.allInbound.stream().filter(c -> !c.isClosed()).forEach(open::add);
                higher.allInbound.stream().filter(c -> !c.isClosed()).forEach(open::add);
                boolean lowerDialled = !higher.allInbound.isEmpty();
                return open.size() == 1 && (!lowerDialled || higher.allInbound.contains(open.get(0)))
                        && a.peers.isConnected(b.address()) && b.peers.isConnected(a.address());
            });
            // Resending covers a message that went out on a losing duplicate before it was closed: PeerManager
            // does not promise delivery, the outbox does.
            sendUntilReceived(a, b, "round " + round + " a to b");
            sendUntilReceived(b, a, "round " + round + " b to a");
            closeAll();
        }
    }

    /**
     * A dial that fails while the node closes: asking the (closed) store whether to redial must not throw out of
     * the dialling thread, and whoever waits for the peer learns that it is unreachable.
     */
    @Test
    void dialFails_storeClosedMeanwhile_waiterLearnsUnreachable() throws Exception {
        Side a = side();
        Address b = Identity.generate(RANDOM).address();
        a.knowsAt(b, new Endpoint(b, "127.0.0.1", Sockets.unusedPort()));
        a.storeGone = new org.hearth.node.store.StoreException("database is closed");

        java.util.concurrent.CompletableFuture<Void> f = a.peers.whenConnected(b);
        assertThatThrownBy(() -> f.get(20, java.util.concurrent.TimeUnit.SECONDS))
                .isInstanceOf(java.util.concurrent.ExecutionException.class)
                .hasMessageContaining("peer unreachable");
    }

    @Test
    void connect_peerNotListeningYet_redialsUntilItIs() throws Exception {
        int port = Sockets.unusedPort();
        Side a = side();
        Side b = new Side(Identity.generate(RANDOM)); // not listening yet
        a.keepDialling(true);
        a.knowsAt(b.address(), new Endpoint(b.address(), "127.0.0.1", port));
        b.knows(a);

        a.peers.connect(b.address());
        b.listen(port);
        b.registerInboundAutomatically();

        a.await("a redialled b once b listened", () -> a.peers.isConnected(b.address()));
        b.await("b has the channel", () -> b.peers.isConnected(a.address()));
        assertPingsBothWays(a, b);
    }

    @Test
    void close_withLiveChannel_peerSeesDisconnect() throws Exception {
        Side a = side();
        Side b = side();
        a.knows(b);
        b.knows(a);
        b.registerInboundAutomatically();
        a.peers.connect(b.address());
        // Wait for both ends: b's registers before a's dial thread registers a's, and a close() in between
        // races with that registration (the channel can end up live in a closed manager).
        a.await("a connected", () -> a.peers.isConnected(b.address()));
        b.await("b connected", () -> b.peers.isConnected(a.address()));

        a.peers.close();

        b.await("b saw a go", () -> b.handler.disconnects.contains(a.address()));
        assertThat(b.peers.isConnected(a.address())).isFalse();
        assertThat(a.peers.send(b.address(), Wire.hello(""))).as("a closed manager sends nothing").isFalse();
    }

    /**
     * When a peer's channel drops and a new one comes up at about the same time, the manager takes the old one
     * out of its map and only then calls onDisconnected; the new one can register and announce onConnected in
     * between. The handler hears "connected, disconnected" while a channel is up, and a handler that keeps
     * per-peer state (Deliveries' sentUpTo, reset on connect and removed on disconnect) stops sending on the
     * live channel. This handler widens that gap by taking its time in onDisconnected (bounded: 2 s).
     */
    @Test
    void drop_replacementRegistersBeforeDisconnectIsDelivered_handlerHearsConnectedLast() throws Exception {
        Side a = side();
        Side b = side();
        a.knows(b);
        b.knows(a);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Connection firstAtA = a.dial(b);
        b.peers.accept(b.nextInbound());
        b.handler.holdNextDisconnect(entered, release);

        firstAtA.close(); // b's reader sees the end of the stream and drops its end
        assertThat(entered.await(TestNodes.WAIT.toSeconds(), TimeUnit.SECONDS)).as("b is telling its handler").isTrue();
        a.dial(b);
        b.peers.accept(b.nextInbound()); // the replacement comes up meanwhile
        release.countDown();

        assertThat(b.peers.isConnected(a.address())).isTrue();
        boolean settled = b.handler.changes.awaitCondition(() -> {
            List<Boolean> ev = b.handler.events(a.address());
            return ev.contains(false) && ev.get(ev.size() - 1);
        }, Duration.ofSeconds(5));
        assertThat(settled)
                .as("with a channel up, the handler's last event for the peer is onConnected (events: %s)",
                        b.handler.events(a.address()))
                .isTrue();
        assertThat(b.peers.isConnected(a.address())).isTrue();
    }

    // ---- fixtures ----

    private void assertPingsBothWays(Side x, Side y) throws InterruptedException {
        PeerMessage toY = Wire.hello("127.0.0.1:1");
        PeerMessage toX = Wire.hello("127.0.0.1:2");
        assertThat(x.peers.send(y.address(), toY)).isTrue();
        assertThat(y.peers.send(x.address(), toX)).isTrue();
        y.await("y got x's message", () -> y.handler.received(x.address()).contains(toY));
        x.await("x got y's message", () -> x.handler.received(y.address()).contains(toX));
    }

    /** Polls {@code condition} for state that raises no handler event (a duplicate closed quietly). */
    private static void eventually(Side side, String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TestNodes.WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            side.handler.changes.awaitAfter(side.handler.changes.version(), Duration.ofMillis(20));
        }
    }

    private static void sendUntilReceived(Side from, Side to, String hint) throws InterruptedException {
        PeerMessage m = Wire.hello(hint);
        long deadline = System.nanoTime() + TestNodes.WAIT.toNanos();
        while (!to.handler.received(from.address()).contains(m)) {
            assertThat(System.nanoTime()).as("%s arrives", hint).isLessThan(deadline);
            from.peers.send(to.address(), m);
            to.handler.changes.awaitCondition(() -> to.handler.received(from.address()).contains(m),
                    Duration.ofMillis(200));
        }
    }

    private static void registerInOrder(PeerManager peers, boolean xFirst, Connection x, Connection y) {
        peers.accept(xFirst ? x : y);
        peers.accept(xFirst ? y : x);
    }

    private record Pair(Side lower, Side higher) {
    }

    /** Two listening sides that know each other's endpoints, named by the order of their addresses. */
    private Pair orderedPair() throws Exception {
        Side x = side();
        Side y = side();
        x.knows(y);
        y.knows(x);
        return x.address().compareTo(y.address()) < 0 ? new Pair(x, y) : new Pair(y, x);
    }

    private Side side() throws Exception {
        Side s = new Side(Identity.generate(RANDOM));
        s.listen(0);
        return s;
    }

    private void closeAll() throws Exception {
        for (AutoCloseable c : closeables.reversed()) {
            c.close();
        }
        closeables.clear();
    }

    /** One node's transport and peer manager, with a handler that records what happens. */
    private final class Side {
        final Identity identity;
        final TcpTransport transport;
        final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
        final Recorder handler = new Recorder();
        final Map<Address, HostPort> hints = new java.util.concurrent.ConcurrentHashMap<>();
        final BlockingQueue<Connection> inbound = new LinkedBlockingQueue<>();
        final List<Connection> allInbound = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile boolean autoRegister;
        volatile boolean wanting;
        /** When set, asking whether to redial fails as a closed store does. */
        volatile RuntimeException storeGone;
        final PeerManager peers;
        HostPort bound;

        Side(Identity identity) {
            this.identity = identity;
            this.transport = new TcpTransport(identity, RANDOM);
            this.peers = new PeerManager(identity.address(), transport, handler, clock, RANDOM,
                    a -> Optional.ofNullable(hints.get(a)), a -> {
                        if (storeGone != null) {
                            throw storeGone;
                        }
                        return wanting;
                    });
            closeables.add(transport);
            closeables.add(peers);
        }

        void listen(int port) throws Exception {
            bound = transport.listen(new HostPort("127.0.0.1", port), c -> {
                allInbound.add(c);
                if (autoRegister) {
                    peers.accept(c);
                } else {
                    inbound.add(c);
                }
            });
        }

        void registerInboundAutomatically() {
            autoRegister = true;
        }

        /** What the manager's wantsConnection answers: redial after a failure or a drop. */
        void keepDialling(boolean w) {
            wanting = w;
        }

        Address address() {
            return identity.address();
        }

        Endpoint endpoint() {
            return new Endpoint(address(), bound.host(), bound.port());
        }

        void knows(Side other) {
            knowsAt(other.address(), other.endpoint());
        }

        void knowsAt(Address peer, Endpoint at) {
            hints.put(peer, new HostPort(at.host(), at.port()));
        }

        Connection dial(Side other) throws Exception {
            Connection c = transport.dial(other.endpoint());
            closeables.add(c);
            return c;
        }

        Connection nextInbound() throws InterruptedException {
            Connection c = inbound.poll(TestNodes.WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(c).as("an inbound channel arrives").isNotNull();
            closeables.add(c);
            return c;
        }

        void await(String what, BooleanSupplier condition) throws InterruptedException {
            assertThat(handler.changes.awaitCondition(condition, TestNodes.WAIT)).as(what).isTrue();
        }
    }

    /** Records channel events and messages; bumps {@link Changes} on each so tests can wait for them. */
    static final class Recorder implements PeerHandler {
        final Changes changes = new Changes();
        final List<Address> disconnects = new java.util.concurrent.CopyOnWriteArrayList<>();
        /** Per peer, in the order the handler acted on them: true = connected, false = disconnected. */
        private final Map<Address, List<Boolean>> events = new java.util.concurrent.ConcurrentHashMap<>();
        private final Map<Address, List<PeerMessage>> messages = new java.util.concurrent.ConcurrentHashMap<>();
        private volatile CountDownLatch disconnectEntered;
        private volatile CountDownLatch disconnectRelease;

        List<PeerMessage> received(Address from) {
            return messages.getOrDefault(from, List.of());
        }

        List<Boolean> events(Address peer) {
            return events.getOrDefault(peer, List.of());
        }

        /** The next onDisconnected signals {@code entered}, then waits for {@code release} (at most 2 s) before acting. */
        void holdNextDisconnect(CountDownLatch entered, CountDownLatch release) {
            disconnectEntered = entered;
            disconnectRelease = release;
        }

        private void event(Address peer, boolean connected) {
            events.computeIfAbsent(peer, p -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(connected);
        }

        @Override
        public void onConnected(Address peer) {
            event(peer, true);
            changes.bump();
        }

        @Override
        public void onMessage(Address peer, PeerMessage message) {
            messages.computeIfAbsent(peer, p -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(message);
            changes.bump();
        }

        @Override
        public void onDisconnected(Address peer) {
            CountDownLatch entered = disconnectEntered;
            CountDownLatch release = disconnectRelease;
            if (entered != null) {
                disconnectEntered = null;
                entered.countDown();
                try {
                    release.await(2, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            disconnects.add(peer);
            event(peer, false);
            changes.bump();
        }
    }
}
