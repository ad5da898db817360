package org.hearth.node;

import java.io.Closeable;
import java.io.IOException;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.Endpoint;
import org.hearth.core.identity.HostPort;
import org.hearth.core.identity.Identity;
import org.hearth.node.chat.Messenger;
import org.hearth.node.peer.PeerManager;
import org.hearth.node.store.Database;
import org.hearth.node.store.WrongPassphraseException;
import org.hearth.node.transport.TcpTransport;

/** A running node: the composition root that wires store, transport, peers and services. */
public final class Node implements Closeable {
    private final Database db;
    private final Identity identity;
    private final TcpTransport transport;
    private final PeerManager peers;
    private final Messenger messenger;
    private final Changes changes;
    private final Endpoint endpoint;

    private Node(Database db, Identity identity, TcpTransport transport, PeerManager peers, Messenger messenger,
            Changes changes, Endpoint endpoint) {
        this.changes = changes;
        this.db = db;
        this.identity = identity;
        this.transport = transport;
        this.peers = peers;
        this.messenger = messenger;
        this.endpoint = endpoint;
    }

    public static Node start(NodeConfig config) throws WrongPassphraseException, IOException {
        NodeHome.Opened home = NodeHome.open(config.home(), config.passphrase());
        TcpTransport transport = new TcpTransport(home.identity(), config.random());
        try {
            Changes changes = new Changes();
            Messenger messenger = new Messenger(home.identity().address(), home.name(), home.db(), config.clock(),
                    config.random(), changes);
            PeerManager peers = new PeerManager(home.identity().address(), transport, messenger, config.clock(),
                    config.random(), messenger::endpointOf, messenger::wantsConnection);
            HostPort bound = transport.listen(config.listen(), peers::accept);
            HostPort advertised = config.advertise().orElse(bound);
            messenger.attach(peers, advertised);
            messenger.connectAll();
            return new Node(home.db(), home.identity(), transport, peers, messenger, changes,
                    new Endpoint(home.identity().address(), advertised.host(), advertised.port()));
        } catch (IOException | RuntimeException e) {
            transport.close();
            home.db().close();
            throw e;
        }
    }

    public Address address() {
        return identity.address();
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    public Changes changes() {
        return changes;
    }

    public Messenger messenger() {
        return messenger;
    }

    @Override
    public void close() {
        transport.close();
        peers.close();
        db.close();
    }
}
