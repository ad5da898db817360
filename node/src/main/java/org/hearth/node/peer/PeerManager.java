package org.hearth.node.peer;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import org.hearth.core.channel.HandshakeException;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.HostPort;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.WireCodec;
import org.hearth.core.wire.proto.PeerMessage;
import org.hearth.node.transport.Connection;
import org.hearth.node.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps at most one live channel per peer, reads each on its own virtual thread, and redials with backoff
 * while the node still has something for that peer.
 *
 * <p>Duplicate channels: when both sides dial at once, each ends up with two channels; both sides keep the
 * one dialled by the lower address, so they agree without talking. A duplicate that arrives when the
 * existing channel is older than {@link #RACE_WINDOW_MS} is a reconnect (the old one is probably dead: the
 * peer restarted) and replaces it.
 */
public final class PeerManager implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(PeerManager.class);
    static final long RACE_WINDOW_MS = 2_000;

    private record Live(Connection connection, Instant since) {
    }

    private final Address self;
    private final Transport transport;
    private final PeerHandler handler;
    private final Clock clock;
    private final RandomSource random;
    private final Function<Address, Optional<HostPort>> hints;
    private final Predicate<Address> wantsConnection;
    private final Map<Address, Live> live = new ConcurrentHashMap<>();
    private final Set<Address> dialling = ConcurrentHashMap.newKeySet();
    private final Map<Address, Object> eventLocks = new ConcurrentHashMap<>();
    private final Map<Address, java.util.List<java.util.concurrent.CompletableFuture<Void>>> waiters =
            new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler =
            Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("peer-scheduler").factory());
    private volatile boolean closed;

    /**
     * @param hints where a peer was last reachable over TCP (a Tor transport needs only the address)
     * @param wantsConnection whether to keep redialling a peer (e.g. it has undelivered items)
     */
    public PeerManager(Address self, Transport transport, PeerHandler handler, Clock clock, RandomSource random,
            Function<Address, Optional<HostPort>> hints, Predicate<Address> wantsConnection) {
        this.self = self;
        this.transport = transport;
        this.handler = handler;
        this.clock = clock;
        this.random = random;
        this.hints = hints;
        this.wantsConnection = wantsConnection;
    }

    /** Hands an accepted inbound channel to the manager. */
    public void accept(Connection c) {
        register(c);
    }

    public boolean isConnected(Address peer) {
        Live l = live.get(peer);
        return l != null && !l.connection().isClosed();
    }

    /** Sends one message if a channel is up; returns false when the peer is not connected or the send failed. */
    public boolean send(Address peer, PeerMessage message) {
        Live l = live.get(peer);
        return l != null && sendOn(l.connection(), message);
    }

    /** The peer's current channel, as an opaque token for {@link #sendOn}; null when none is up. */
    public Object channel(Address peer) {
        Live l = live.get(peer);
        return l == null ? null : l.connection();
    }

    /**
     * Sends only if {@code channel} is still the peer's current channel: a sender that must keep an order
     * (the outbox pump) never spills onto a replacement channel mid-sequence.
     */
    public boolean sendOn(Object channel, PeerMessage message) {
        if (!(channel instanceof Connection c)) {
            return false;
        }
        Live l = live.get(c.peer());
        if (l == null || l.connection() != c) {
            return false;
        }
        try {
            c.send(WireCodec.encode(message));
            return true;
        } catch (IOException e) {
            drop(c, "send failed");
            return false;
        }
    }

    /** Connect and disconnect events of one peer reach the handler in the order the channel table changed. */
    private Object events(Address peer) {
        return eventLocks.computeIfAbsent(peer, p -> new Object());
    }

    /** Dials the peer now unless a channel is up or a dial is under way; keeps retrying while wanted. */
    public void connect(Address peer) {
        if (closed || isConnected(peer) || !dialling.add(peer)) {
            return;
        }
        scheduler.execute(() -> attempt(peer, 0));
    }

    private void attempt(Address peer, int failures) {
        if (closed || isConnected(peer)) {
            dialling.remove(peer);
            return;
        }
        Optional<HostPort> hint = hints.apply(peer);
        Thread.ofVirtual().name("dial").start(() -> {
            try {
                Connection c = transport.dial(peer, hint);
                dialling.remove(peer);
                register(c);
            } catch (IOException | HandshakeException | RuntimeException e) {
                LOG.debug("dial {} failed: {}", peer.scrubbed(), e.getMessage());
                if (!closed && wantsReconnect(peer)) { // the store may close meanwhile: no stray exception
                    try {
                        scheduler.schedule(() -> attempt(peer, failures + 1),
                                Backoff.delay(failures, random).toMillis(), TimeUnit.MILLISECONDS);
                    } catch (java.util.concurrent.RejectedExecutionException stopping) {
                        dialling.remove(peer); // closed meanwhile
                    }
                } else {
                    dialling.remove(peer);
                    // nobody will redial: whoever waits for this peer learns now, and can ask again later
                    java.util.List<java.util.concurrent.CompletableFuture<Void>> w = waiters.remove(peer);
                    if (w != null) {
                        w.forEach(f -> f.completeExceptionally(new IOException("peer unreachable: " + e.getMessage())));
                    }
                }
            }
        });
    }

    private void register(Connection c) {
        Address peer = c.peer();
        if (peer.equals(self) || closed) {
            c.close();
            return;
        }
        Instant now = clock.instant();
        synchronized (events(peer)) {
            Live[] replaced = new Live[1];
            Live kept = live.compute(peer, (a, existing) -> {
                if (existing == null || existing.connection().isClosed() || preferNew(existing, c, now)) {
                    replaced[0] = existing;
                    return new Live(c, now);
                }
                return existing;
            });
            if (kept.connection() != c) {
                c.close();
                return;
            }
            if (replaced[0] != null) {
                replaced[0].connection().close();
            }
            Thread.ofVirtual().name("peer-reader").start(() -> readLoop(c));
            handler.onConnected(peer);
        }
        java.util.List<java.util.concurrent.CompletableFuture<Void>> w = waiters.remove(peer);
        if (w != null) {
            w.forEach(f -> f.complete(null));
        }
    }

    /** Completes once a channel to the peer is up (dialling it if needed). */
    public java.util.concurrent.CompletableFuture<Void> whenConnected(Address peer) {
        java.util.concurrent.CompletableFuture<Void> f = new java.util.concurrent.CompletableFuture<>();
        java.util.List<java.util.concurrent.CompletableFuture<Void>> list =
                waiters.computeIfAbsent(peer, p -> new java.util.concurrent.CopyOnWriteArrayList<>());
        list.add(f);
        f.whenComplete((r, e) -> list.remove(f)); // a cancelled wait does not linger
        if (isConnected(peer)) {
            f.complete(null);
        } else {
            connect(peer);
        }
        return f;
    }

    private boolean preferNew(Live existing, Connection fresh, Instant now) {
        if (now.toEpochMilli() - existing.since().toEpochMilli() > RACE_WINDOW_MS) {
            return true;
        }
        return dialler(fresh).compareTo(dialler(existing.connection())) < 0;
    }

    private Address dialler(Connection c) {
        return c.initiatedLocally() ? self : c.peer();
    }

    private void readLoop(Connection c) {
        try {
            while (!c.isClosed()) {
                handler.onMessage(c.peer(), WireCodec.decode(c.receive()));
            }
        } catch (EOFException e) {
            drop(c, "closed by peer");
        } catch (IOException e) {
            drop(c, "connection lost");
        } catch (MalformedMessageException e) {
            LOG.info("peer {} sent a malformed message ({}); disconnecting", c.peer().scrubbed(), e.getMessage());
            drop(c, "malformed message");
        } catch (RuntimeException e) {
            if (!closed) { // while the node shuts down, handlers fail on the closed store: not worth a warning
                LOG.warn("error handling a message from {}; disconnecting", c.peer().scrubbed(), e);
            }
            drop(c, "handler error");
        }
    }

    private void drop(Connection c, String why) {
        c.close();
        Address peer = c.peer();
        boolean[] wasCurrent = {false};
        synchronized (events(peer)) {
            live.computeIfPresent(peer, (a, l) -> {
                wasCurrent[0] = l.connection() == c;
                return wasCurrent[0] ? null : l;
            });
            if (wasCurrent[0]) {
                LOG.debug("channel to {} down: {}", peer.scrubbed(), why);
                handler.onDisconnected(peer);
            }
        }
        if (wasCurrent[0] && !closed && wantsReconnect(peer)) {
            connect(peer);
        }
    }

    /** Asks the store; a node that is closing has closed it meanwhile, and then nothing is redialled. */
    private boolean wantsReconnect(Address peer) {
        try {
            return wantsConnection.test(peer);
        } catch (RuntimeException e) {
            if (!closed) {
                LOG.warn("could not tell whether to redial {}", peer.scrubbed(), e);
            }
            return false;
        }
    }

    @Override
    public void close() {
        closed = true;
        scheduler.shutdownNow();
        live.values().forEach(l -> l.connection().close());
        live.clear();
    }
}
