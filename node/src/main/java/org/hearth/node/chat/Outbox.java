package org.hearth.node.chat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.hearth.core.identity.Address;
import org.hearth.core.wire.MessageId;

/**
 * Durable queue of peer messages awaiting acknowledgement, per peer, in order. An item leaves the outbox only
 * when the peer acknowledged it, i.e. committed it: this is what makes delivery survive crashes of either side.
 */
public final class Outbox {
    public record Item(long seq, MessageId id, byte[] payload) {
    }

    private Outbox() {
    }

    public static void add(Connection c, Address peer, MessageId id, byte[] payload, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO outbox(id, peer, payload, created_at) VALUES (?,?,?,?)")) {
            ps.setBytes(1, id.bytes().toByteArray());
            ps.setString(2, peer.text());
            ps.setBytes(3, payload);
            ps.setLong(4, now.toEpochMilli());
            ps.executeUpdate();
        }
    }

    /** Items for a peer after {@code afterSeq}, oldest first, at most {@code limit}. */
    public static List<Item> pending(Connection c, Address peer, long afterSeq, int limit) throws SQLException {
        List<Item> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT seq, id, payload FROM outbox WHERE peer = ? AND seq > ? ORDER BY seq LIMIT ?")) {
            ps.setString(1, peer.text());
            ps.setLong(2, afterSeq);
            ps.setInt(3, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Item(rs.getLong(1), new MessageId(org.hearth.core.bytes.Bytes.wrap(rs.getBytes(2))),
                            rs.getBytes(3)));
                }
            }
        }
        return out;
    }

    public static boolean hasPending(Connection c, Address peer) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM outbox WHERE peer = ? LIMIT 1")) {
            ps.setString(1, peer.text());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Items not yet acknowledged, for every peer. */
    public static long count(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM outbox");
                ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /** Removes an acknowledged item; only the peer it was sent to can acknowledge it. */
    public static boolean acknowledge(Connection c, Address peer, MessageId id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM outbox WHERE id = ? AND peer = ?")) {
            ps.setBytes(1, id.bytes().toByteArray());
            ps.setString(2, peer.text());
            return ps.executeUpdate() == 1;
        }
    }
}
