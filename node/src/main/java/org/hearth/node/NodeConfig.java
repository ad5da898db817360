package org.hearth.node;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.HostPort;

/**
 * Everything a node needs to start. {@code advertise} is the host:port peers should dial (defaults to the
 * bound listen address).
 */
public record NodeConfig(Path home, char[] passphrase, HostPort listen, Optional<HostPort> advertise, Clock clock,
        RandomSource random, Roles roles, org.hearth.node.transport.TransportFactory transport) {

    public NodeConfig(Path home, char[] passphrase, HostPort listen, Optional<HostPort> advertise, Clock clock,
            RandomSource random, Roles roles) {
        this(home, passphrase, listen, advertise, clock, random, roles, org.hearth.node.transport.TransportFactory.TCP);
    }

    /**
     * What this node does. A member node chats, takes part in managed groups (the experiment flag: on by
     * default) and hosts the groups it manages itself; a host node only stores and serves anyone's envelopes.
     */
    public record Roles(boolean chat, boolean managedGroups, boolean host) {
        public static final Roles MEMBER = new Roles(true, true, true);
        public static final Roles HOST = new Roles(false, false, true);
    }

    public static NodeConfig of(Path home, char[] passphrase, HostPort listen) {
        return new NodeConfig(home, passphrase, listen, Optional.empty(), Clock.systemUTC(), RandomSource.secure(),
                Roles.MEMBER);
    }

    public NodeConfig withRoles(Roles r) {
        return new NodeConfig(home, passphrase, listen, advertise, clock, random, r, transport);
    }

    public NodeConfig withTransport(org.hearth.node.transport.TransportFactory t) {
        return new NodeConfig(home, passphrase, listen, advertise, clock, random, roles, t);
    }
}
