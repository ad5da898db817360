package org.hearth.node.peer;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable delivery of peer items (contact requests, chat, group invites and epoch deliveries) through the
 * {@link Outbox}: an item is committed with the change that caused it, sent in outbox order whenever a
 * channel to its peer is up, resent from the oldest unacknowledged item on every new channel, and removed
 * only when the peer acknowledges it.
 */
public final class Deliveries {
    private static final Logger LOG = LoggerFactory.getLogger(Deliveries.class);
    private static final int PUMP_BATCH = 100;

    private final Database db;
    private final Clock clock;
    private volatile PeerManager peers;
    private final Map<Address, ReentrantLock> pumpLocks = new ConcurrentHashMap<>();
    /** Where each peer's pump stands: the channel it sends on and the highest outbox seq sent on it. */
    private record Cursor(Object channel, long seq) {
    }

    private final Map<Address, Cursor> cursors = new ConcurrentHashMap<>();

    public Deliveries(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public void attach(PeerManager peerManager) {
        this.peers = peerManager;
    }

    /**
     * Adds an item inside the caller's transaction; call {@link #kick} after the commit. The item must be one the
     * peer will accept: it is decoded with the receiver's rules first, so nothing enters the queue that would
     * be refused at the other end (and wedge everything behind it).
     */
    public void enqueue(Connection c, Address peer, MessageId id, PeerMessage m) throws SQLException {
        byte[] encoded = WireCodec.encode(m);
        try {
            WireCodec.decode(encoded);
        } catch (MalformedMessageException e) {
            throw new org.hearth.node.UserError(org.hearth.node.UserError.Kind.INVALID, e.getMessage());
        }
        Outbox.add(c, peer, id, encoded, clock.instant());
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

    /**
     * After a start: dials every peer that has items waiting, contact or not (a group's invitees and members are
     * often not contacts, and nothing else would dial them). One indexed lookup per distinct peer.
     */
    public void resumeAll() {
        List<String> peers = db.read(tx -> tx.query("WITH RECURSIVE p(peer) AS (SELECT min(peer) FROM outbox"
                + " UNION ALL SELECT (SELECT min(peer) FROM outbox WHERE peer > p.peer) FROM p WHERE p.peer IS NOT NULL)"
                + " SELECT peer FROM p WHERE peer IS NOT NULL", rs -> rs.getString(1)));
        for (String p : peers) {
            try {
                kick(Address.parse(p));
            } catch (org.hearth.core.identity.InvalidAddressException e) {
                LOG.warn("an outbox item names no valid peer; it stays queued");
            }
        }
    }

    public boolean hasPending(Address peer) {
        return db.read(tx -> Outbox.hasPending(tx.connection(), peer));
    }

    /** Items in the outbox that their peers have not acknowledged yet, over all peers. */
    public long pendingCount() {
        return db.read(tx -> Outbox.count(tx.connection()));
    }

    /**
     * A new channel: everything unacknowledged is sent again on it, from the oldest item. Runs on its own
     * thread, so the peer manager's connect event never waits for a pump.
     */
    public void onConnected(Address peer) {
        Thread.ofVirtual().name("pump").start(() -> {
            withPumpLock(peer, () -> {
                Object channel = peers.channel(peer);
                if (channel != null) {
                    cursors.put(peer, new Cursor(channel, 0));
                }
            });
            pump(peer);
        });
    }

    public void onDisconnected(Address peer) {
        // nothing to do: a pump whose channel is gone stops at its next send
    }

    /** One pump per peer at a time, on one channel, keeps the outbox order on the wire. */
    private void pump(Address peer) {
        withPumpLock(peer, () -> {
            while (true) {
                Cursor cur = cursors.get(peer);
                if (cur == null) {
                    return;
                }
                List<Outbox.Item> items = db.read(tx -> Outbox.pending(tx.connection(), peer, cur.seq(), PUMP_BATCH));
                Cursor at = cur;
                for (Outbox.Item item : items) {
                    Optional<PeerMessage> m = decode(item);
                    if (m.isPresent() && !peers.sendOn(at.channel(), m.get())) {
                        return;
                    }
                    at = new Cursor(at.channel(), item.seq());
                    cursors.put(peer, at);
                }
                if (items.size() < PUMP_BATCH) {
                    return;
                }
            }
        });
    }

    /** An item that no longer decodes (it cannot come from this code) is skipped, not allowed to block the queue. */
    private Optional<PeerMessage> decode(Outbox.Item item) {
        try {
            return Optional.of(WireCodec.decode(item.payload()));
        } catch (MalformedMessageException e) {
            LOG.warn("dropping an outbox item that does not decode: {}", e.getMessage());
            db.write(tx -> tx.update("DELETE FROM outbox WHERE seq = ?", item.seq()));
            return Optional.empty();
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
