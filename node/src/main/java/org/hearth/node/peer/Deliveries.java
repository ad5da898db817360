package org.hearth.node.peer;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.hearth.core.identity.Address;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.MessageId;
import org.hearth.core.wire.WireCodec;
import org.hearth.core.wire.proto.PeerMessage;
import org.hearth.node.chat.Outbox;
import org.hearth.node.store.Database;

/**
 * Durable delivery of peer items (contact requests, chat, group invites and epoch deliveries) through the
 * {@link Outbox}: an item is committed with the change that caused it, sent in outbox order whenever a
 * channel to its peer is up, resent from the oldest unacknowledged item on every new channel, and removed
 * only when the peer acknowledges it.
 */
public final class Deliveries {
    private static final int PUMP_BATCH = 100;

    private final Database db;
    private final Clock clock;
    private volatile PeerManager peers;
    private final Map<Address, ReentrantLock> pumpLocks = new ConcurrentHashMap<>();
    /** Highest outbox seq sent on the current channel to each peer; absent = no channel. */
    private final Map<Address, Long> sentUpTo = new ConcurrentHashMap<>();

    public Deliveries(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public void attach(PeerManager peerManager) {
        this.peers = peerManager;
    }

    /** Adds an item inside the caller's transaction; call {@link #kick} after the commit. */
    public void enqueue(Connection c, Address peer, MessageId id, PeerMessage m) throws SQLException {
        Outbox.add(c, peer, id, WireCodec.encode(m), clock.instant());
    }

    /** Sends a message now if a channel is up (acks, responses: things that are not resent). */
    public boolean sendNow(Address peer, PeerMessage m) {
        return peers.send(peer, m);
    }

    /** Sends what is pending, or dials the peer so that it will be. */
    public void kick(Address peer) {
        if (peers.isConnected(peer)) {
            Thread.ofVirtual().name("pump").start(() -> pump(peer));
        } else {
            peers.connect(peer);
        }
    }

    public boolean hasPending(Address peer) {
        return db.read(tx -> Outbox.hasPending(tx.connection(), peer));
    }

    public void onConnected(Address peer) {
        withPumpLock(peer, () -> sentUpTo.put(peer, 0L));
        pump(peer);
    }

    public void onDisconnected(Address peer) {
        sentUpTo.remove(peer);
    }

    /** One pump per peer at a time keeps the outbox order on the wire. */
    private void pump(Address peer) {
        withPumpLock(peer, () -> {
            while (true) {
                Long after = sentUpTo.get(peer);
                if (after == null) {
                    return;
                }
                List<Outbox.Item> items = db.read(tx -> Outbox.pending(tx.connection(), peer, after, PUMP_BATCH));
                for (Outbox.Item item : items) {
                    if (!peers.send(peer, decode(item))) {
                        return;
                    }
                    sentUpTo.put(peer, item.seq());
                }
                if (items.size() < PUMP_BATCH) {
                    return;
                }
            }
        });
    }

    private static PeerMessage decode(Outbox.Item item) {
        try {
            return WireCodec.decode(item.payload());
        } catch (MalformedMessageException e) {
            throw new IllegalStateException("outbox holds an undecodable item", e);
        }
    }

    private void withPumpLock(Address peer, Runnable r) {
        ReentrantLock lock = pumpLocks.computeIfAbsent(peer, p -> new ReentrantLock());
        lock.lock();
        try {
            r.run();
        } finally {
            lock.unlock();
        }
    }
}
