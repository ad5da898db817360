package org.hearth.node.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.hearth.core.channel.HandshakeException;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.Endpoint;
import org.hearth.core.identity.HostPort;
import org.hearth.core.identity.Identity;

/** TCP: accepts and dials connections, running the identity-bound Noise XX handshake on each. */
public final class TcpTransport implements Transport {
    public static final Duration HANDSHAKE_TIMEOUT = ChannelSockets.HANDSHAKE_TIMEOUT;
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final ChannelSockets sockets;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private volatile ServerSocket server;

    public TcpTransport(Identity identity, RandomSource random) {
        this.sockets = new ChannelSockets(identity, random);
    }

    /** Binds and starts accepting; returns the bound address (port 0 picks a free port). */
    @Override
    public HostPort listen(HostPort bind, Consumer<Connection> onInbound) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(bind.host(), bind.port()), 128);
        server = s;
        threads.submit(() -> sockets.serve(s, onInbound, threads));
        return new HostPort(bind.host(), s.getLocalPort());
    }

    @Override
    public Connection dial(Address peer, Optional<HostPort> hint) throws IOException, HandshakeException {
        HostPort hp = hint.orElseThrow(() -> new IOException("no TCP endpoint known for this peer"));
        return dial(new Endpoint(peer, hp.host(), hp.port()));
    }

    /** Dials an endpoint; the handshake fails unless the responder proves the endpoint's address. */
    public Connection dial(Endpoint endpoint) throws IOException, HandshakeException {
        if (endpoint.host().toLowerCase(java.util.Locale.ROOT).endsWith(".onion")) {
            // never hand an onion name to the system resolver: that would leak it to the DNS
            throw new IOException("that endpoint is reachable over Tor only (run with --transport tor or both)");
        }
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), (int) CONNECT_TIMEOUT.toMillis());
        } catch (IOException | RuntimeException e) {
            ChannelSockets.closeQuietly(socket);
            throw e;
        }
        return sockets.initiate(socket, endpoint.address());
    }

    @Override
    public void close() {
        ServerSocket s = server;
        if (s != null) {
            ChannelSockets.closeQuietly(s);
        }
        threads.shutdownNow();
    }
}
