package org.hearth.node.contacts;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.HostPort;
import org.hearth.core.identity.InvalidAddressException;

/** SQL for the contacts table; every method runs inside the caller's transaction. */
public final class ContactRepository {
    private ContactRepository() {
    }

    public static Optional<Contact> find(Connection c, Address address) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT address, name, kind, status, endpoint_hint, created_at FROM contacts WHERE address = ?")) {
            ps.setString(1, address.text());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    public static List<Contact> all(Connection c) throws SQLException {
        List<Contact> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT address, name, kind, status, endpoint_hint, created_at FROM contacts ORDER BY created_at, address");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(read(rs));
            }
        }
        return out;
    }

    public static void upsert(Connection c, Contact contact) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO contacts(address, name, kind, status, endpoint_hint, created_at) VALUES (?,?,?,?,?,?)
                ON CONFLICT(address) DO UPDATE SET name = excluded.name, kind = excluded.kind,
                  status = excluded.status, endpoint_hint = excluded.endpoint_hint""")) {
            ps.setString(1, contact.address().text());
            ps.setString(2, contact.name());
            ps.setString(3, contact.kind().name());
            ps.setString(4, contact.status().name());
            ps.setString(5, contact.endpointHint().map(HostPort::toString).orElse(null));
            ps.setLong(6, contact.createdAt().toEpochMilli());
            ps.executeUpdate();
        }
    }

    public static void updateHint(Connection c, Address address, HostPort hint) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE contacts SET endpoint_hint = ? WHERE address = ?")) {
            ps.setString(1, hint.toString());
            ps.setString(2, address.text());
            ps.executeUpdate();
        }
    }

    private static Contact read(ResultSet rs) throws SQLException {
        try {
            String hint = rs.getString(5);
            return new Contact(Address.parse(rs.getString(1)), rs.getString(2), ContactKind.valueOf(rs.getString(3)),
                    ContactStatus.valueOf(rs.getString(4)),
                    hint == null ? Optional.empty() : Optional.of(HostPort.parse(hint)),
                    Instant.ofEpochMilli(rs.getLong(6)));
        } catch (InvalidAddressException | IllegalArgumentException e) {
            throw new SQLException("corrupt contact row: " + e.getMessage(), e);
        }
    }
}
