package org.hearth.node.transport;

import java.io.Closeable;
import java.io.IOException;
import java.util.Optional;
import java.util.function.Consumer;
import org.hearth.core.channel.HandshakeException;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.HostPort;

/**
 * A way to reach peers: TCP (needs a host:port hint) or Tor (the address alone is enough). Every connection it
 * yields has completed the identity-bound Noise handshake.
 */
public interface Transport extends Closeable {
    /** Starts accepting; returns the endpoint peers should be told (host:port, or ADDRESS.onion:port). */
    HostPort listen(HostPort bind, Consumer<Connection> onInbound) throws IOException;

    /** Connects to {@code peer}; the handshake fails unless the responder proves it is {@code peer}. */
    Connection dial(Address peer, Optional<HostPort> hint) throws IOException, HandshakeException;

    @Override
    void close();
}
