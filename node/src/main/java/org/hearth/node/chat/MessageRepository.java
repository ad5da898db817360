package org.hearth.node.chat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.identity.Address;
import org.hearth.core.wire.MessageId;

/** SQL for the messages table; every method runs inside the caller's transaction. */
public final class MessageRepository {
    private MessageRepository() {
    }

    /** Inserts unless a message with this id exists; returns whether it was new (receivers deduplicate by id). */
    public static boolean insertIfAbsent(Connection c, MessageId id, Address contact, boolean outgoing, String text,
            Instant sentAt, Instant receivedAt) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO messages(id, contact, outgoing, text, sent_at, received_at, delivered)
                VALUES (?,?,?,?,?,?,0) ON CONFLICT(id) DO NOTHING""")) {
            ps.setBytes(1, id.bytes().toByteArray());
            ps.setString(2, contact.text());
            ps.setInt(3, outgoing ? 1 : 0);
            ps.setString(4, text);
            ps.setLong(5, sentAt.toEpochMilli());
            ps.setLong(6, receivedAt.toEpochMilli());
            return ps.executeUpdate() == 1;
        }
    }

    public static void markDelivered(Connection c, MessageId id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE messages SET delivered = 1 WHERE id = ? AND outgoing = 1")) {
            ps.setBytes(1, id.bytes().toByteArray());
            ps.executeUpdate();
        }
    }

    /** The conversation with a contact in the order this node stored it. */
    public static List<ChatMessage> conversation(Connection c, Address contact, Address self) throws SQLException {
        List<ChatMessage> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id, outgoing, text, sent_at, delivered FROM messages WHERE contact = ? ORDER BY seq")) {
            ps.setString(1, contact.text());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    boolean outgoing = rs.getInt(2) == 1;
                    out.add(new ChatMessage(new MessageId(Bytes.wrap(rs.getBytes(1))), contact,
                            outgoing ? self : contact, outgoing, rs.getString(3), Instant.ofEpochMilli(rs.getLong(4)),
                            outgoing ? rs.getInt(5) == 1 : true));
                }
            }
        }
        return out;
    }

}
