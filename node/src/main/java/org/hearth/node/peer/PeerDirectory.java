package org.hearth.node.peer;

import java.util.Optional;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.Endpoint;
import org.hearth.core.identity.HostPort;
import org.hearth.core.identity.InvalidAddressException;
import java.sql.SQLException;
import org.hearth.node.store.Database;
import org.hearth.node.store.Transaction;

/**
 * Where peers can be dialled over TCP: the latest host:port each one announced or was given (group members,
 * hosts, managers, contacts). Persisted so that a restarted node can redial everyone it owes something.
 */
public final class PeerDirectory {
    private final Database db;

    public PeerDirectory(Database db) {
        this.db = db;
    }

    public void remember(Address peer, HostPort hint) {
        db.write(tx -> remember(tx, peer, hint));
    }

    public void remember(Endpoint e) {
        remember(e.address(), new HostPort(e.host(), e.port()));
    }

    /** Inside a caller's transaction. */
    public static int remember(Transaction tx, Endpoint e) throws SQLException {
        return remember(tx, e.address(), new HostPort(e.host(), e.port()));
    }

    private static int remember(Transaction tx, Address peer, HostPort hint) throws SQLException {
        return tx.update("INSERT INTO peer_hints(address, hint) VALUES (?, ?) ON CONFLICT(address)"
                + " DO UPDATE SET hint = excluded.hint WHERE hint <> excluded.hint", peer.text(), hint.toString());
    }

    public Optional<HostPort> hint(Address peer) {
        return db.read(tx -> tx.queryOne("SELECT hint FROM peer_hints WHERE address = ?", rs -> rs.getString(1),
                peer.text())).flatMap(PeerDirectory::parse);
    }

    private static Optional<HostPort> parse(String s) {
        try {
            return Optional.of(HostPort.parse(s));
        } catch (InvalidAddressException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
