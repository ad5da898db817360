package org.hearth.node.transport.tor;

import java.io.IOException;
import java.util.Optional;
import java.util.function.Consumer;
import org.hearth.core.channel.HandshakeException;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.HostPort;
import org.hearth.node.transport.Connection;
import org.hearth.node.transport.TcpTransport;
import org.hearth.node.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Both at once, for moving a group of nodes to Tor: accepts on TCP and on the onion service; dials through Tor
 * first and falls back to TCP with the peer's host:port hint. The endpoint it reports is the TCP one, so
 * TCP-only peers can still reach this node (Tor peers need only the address).
 */
final class TcpAndTorTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(TcpAndTorTransport.class);
    private final TcpTransport tcp;
    private final TorTransport tor;

    TcpAndTorTransport(TcpTransport tcp, TorTransport tor) {
        this.tcp = tcp;
        this.tor = tor;
    }

    @Override
    public HostPort listen(HostPort bind, Consumer<Connection> onInbound) throws IOException {
        HostPort tcpBound = tcp.listen(bind, onInbound);
        tor.listen(new HostPort("127.0.0.1", 0), onInbound);
        return tcpBound;
    }

    @Override
    public Connection dial(Address peer, Optional<HostPort> hint) throws IOException, HandshakeException {
        try {
            return tor.dial(peer, hint);
        } catch (IOException | HandshakeException e) {
            Optional<HostPort> tcpHint = hint.filter(h -> !h.host().toLowerCase(java.util.Locale.ROOT).endsWith(".onion"));
            if (tcpHint.isEmpty()) {
                throw e;
            }
            LOG.debug("dial {} over tor failed ({}); trying TCP", peer.scrubbed(), e.getMessage());
            return tcp.dial(peer, tcpHint);
        }
    }

    @Override
    public void close() {
        tcp.close();
        tor.close();
    }
}
