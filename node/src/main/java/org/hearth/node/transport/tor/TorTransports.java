package org.hearth.node.transport.tor;

import org.hearth.node.transport.TcpTransport;
import org.hearth.node.transport.TransportFactory;

/** The Tor transport factories for {@code NodeConfig.withTransport}. */
public final class TorTransports {
    private TorTransports() {
    }

    /** Tor only: the node is an onion service at its own address and dials peers through tor. */
    public static TransportFactory tor(TorSettings settings) {
        return (identity, random, home) -> TorTransport.start(identity, random, home, settings);
    }

    /** TCP and Tor: listens on both; dials through Tor first, then TCP with the peer's hint. */
    public static TransportFactory both(TorSettings settings) {
        return (identity, random, home) -> new TcpAndTorTransport(new TcpTransport(identity, random),
                TorTransport.start(identity, random, home, settings));
    }
}
