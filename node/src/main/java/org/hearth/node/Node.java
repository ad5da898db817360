package org.hearth.node;

import java.io.Closeable;
import java.io.IOException;
import java.util.Optional;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.Endpoint;
import org.hearth.core.identity.HostPort;
import org.hearth.core.identity.Identity;
import org.hearth.node.chat.Messenger;
import org.hearth.node.group.GroupService;
import org.hearth.node.group.ManagedHostAccess;
import org.hearth.node.host.HostLimits;
import org.hearth.node.host.HostService;
import org.hearth.node.peer.Deliveries;
import org.hearth.node.peer.PeerDirectory;
import org.hearth.node.peer.PeerManager;
import org.hearth.node.peer.PeerRpc;
import org.hearth.node.store.Database;
import org.hearth.node.store.WrongPassphraseException;
import org.hearth.node.transport.Transport;

/** A running node: the composition root that wires store, transport, peers and the roles it runs. */
public final class Node implements Closeable {
    private final Database db;
    private final NodeHome.Opened home;
    private final Identity identity;
    private final Transport transport;
    private final PeerManager peers;
    private final Messenger messenger;
    private final Optional<GroupService> groups;
    private final Optional<HostService> host;
    private final Changes changes;
    private final Endpoint endpoint;
    private final Deliveries deliveries;

    private Node(NodeHome.Opened home, Database db, Identity identity, Transport transport, PeerManager peers, Messenger messenger,
            Optional<GroupService> groups, Optional<HostService> host, Changes changes, Endpoint endpoint,
            Deliveries deliveries) {
        this.home = home;
        this.db = db;
        this.identity = identity;
        this.transport = transport;
        this.peers = peers;
        this.messenger = messenger;
        this.groups = groups;
        this.host = host;
        this.changes = changes;
        this.endpoint = endpoint;
        this.deliveries = deliveries;
    }

    public static Node start(NodeConfig config) throws WrongPassphraseException, IOException {
        NodeHome.Opened home = NodeHome.open(config.home(), config.passphrase());
        Identity id = home.identity();
        Database db = home.db();
        Transport transport;
        try {
            transport = config.transport().create(id, config.random(), config.home());
        } catch (IOException | RuntimeException e) {
            home.close();
            throw e;
        }
        Optional<HostService> host = Optional.empty();
        Optional<GroupService> groups = Optional.empty();
        try {
            Changes changes = new Changes();
            Deliveries deliveries = new Deliveries(db, config.clock());
            PeerRpc rpc = new PeerRpc();
            PeerDirectory directory = new PeerDirectory(db);
            Messenger messenger = new Messenger(id.address(), home.name(), db, config.clock(), config.random(), changes,
                    deliveries, directory);
            // a member node hosts only the groups it manages (checked against their state); a host node anyone's
            Optional<ManagedHostAccess> managed = config.roles().chat() && config.roles().host()
                    ? Optional.of(new ManagedHostAccess(db, id.address())) : Optional.empty();
            if (config.roles().host()) {
                host = Optional.of(managed.isPresent()
                        ? HostService.open(db, HostLimits.DEFAULT, managed.get(), config.clock())
                        : HostService.untrusted(db, config.clock()));
            }
            PeerManager[] peersRef = new PeerManager[1];
            if (config.roles().chat()) {
                groups = Optional.of(GroupService.create(id, db, config.clock(), config.random(), deliveries, rpc,
                        directory, changes, config.roles().managedGroups(), a -> peersRef[0].isConnected(a), host,
                        g -> managed.ifPresent(m -> m.invalidate(g))));
            }
            Dispatcher dispatcher = new Dispatcher(messenger, groups, host, rpc, deliveries, config.roles().chat());
            PeerManager peers = new PeerManager(id.address(), transport, dispatcher, config.clock(), config.random(),
                    messenger::hintOf, deliveries::hasPending);
            peersRef[0] = peers;
            deliveries.attach(peers);
            rpc.attach(peers);
            HostPort bound = transport.listen(config.listen(), peers::accept);
            HostPort advertised = config.advertise().orElse(bound);
            messenger.attach(peers, advertised);
            groups.ifPresent(g -> g.setSelfEndpoint(new Endpoint(id.address(), advertised.host(), advertised.port())));
            messenger.connectAll();
            deliveries.resumeAll();
            groups.ifPresent(GroupService::start);
            return new Node(home, db, id, transport, peers, messenger, groups, host, changes,
                    new Endpoint(id.address(), advertised.host(), advertised.port()), deliveries);
        } catch (IOException | RuntimeException e) {
            groups.ifPresent(GroupService::close);
            host.ifPresent(HostService::close);
            transport.close();
            home.close();
            throw e;
        }
    }

    public Address address() {
        return identity.address();
    }

    /** The node's identity (the demo uses it to play a misbehaving manager). */
    public Identity identity() {
        return identity;
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    public Changes changes() {
        return changes;
    }

    /** Durable items (chat, contact and group deliveries) that their peers have not acknowledged yet. */
    public long pendingDeliveries() {
        return deliveries.pendingCount();
    }

    public Messenger messenger() {
        return messenger;
    }

    /** The managed-group service; absent on a host-only node. */
    public GroupService groups() {
        return groups.orElseThrow(() -> new UserError(UserError.Kind.CONFLICT, "this node does not run groups"));
    }

    @Override
    public void close() {
        groups.ifPresent(GroupService::close);
        host.ifPresent(HostService::close);
        transport.close();
        peers.close();
        home.close();
    }
}
