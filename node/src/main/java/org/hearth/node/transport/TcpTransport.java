package org.hearth.node.transport;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.hearth.core.channel.ChannelHandshake;
import org.hearth.core.channel.HandshakeException;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.Endpoint;
import org.hearth.core.identity.HostPort;
import org.hearth.core.identity.Identity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** TCP: accepts and dials connections, running the identity-bound Noise XX handshake on each. */
public final class TcpTransport implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(TcpTransport.class);
    public static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Handshake messages are small; anything bigger is hostile. */
    private static final int MAX_HANDSHAKE_MESSAGE = 1024;

    private final Identity identity;
    private final RandomSource random;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private volatile ServerSocket server;

    public TcpTransport(Identity identity, RandomSource random) {
        this.identity = identity;
        this.random = random;
    }

    /** Binds and starts accepting; returns the bound address (port 0 picks a free port). */
    public HostPort listen(HostPort bind, Consumer<Connection> onInbound) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(bind.host(), bind.port()), 128);
        server = s;
        threads.submit(() -> acceptLoop(s, onInbound));
        return new HostPort(bind.host(), s.getLocalPort());
    }

    private void acceptLoop(ServerSocket s, Consumer<Connection> onInbound) {
        while (!s.isClosed()) {
            Socket socket;
            try {
                socket = s.accept();
            } catch (IOException e) {
                if (!s.isClosed()) {
                    LOG.warn("accept failed: {}", e.getMessage());
                }
                continue;
            }
            threads.submit(() -> {
                try {
                    onInbound.accept(respond(socket));
                } catch (IOException | HandshakeException e) {
                    LOG.debug("inbound handshake failed: {}", e.getMessage());
                    closeQuietly(socket);
                }
            });
        }
    }

    /** Dials an endpoint; the handshake fails unless the responder proves the endpoint's address. */
    public Connection dial(Endpoint endpoint) throws IOException, HandshakeException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), (int) CONNECT_TIMEOUT.toMillis());
            return initiate(socket, endpoint);
        } catch (IOException | HandshakeException | RuntimeException e) {
            closeQuietly(socket);
            throw e;
        }
    }

    private Connection initiate(Socket socket, Endpoint endpoint) throws IOException, HandshakeException {
        Streams st = streams(socket);
        ChannelHandshake hs = ChannelHandshake.initiator(identity, endpoint.address(), random);
        Connection.writeFrame(st.out, hs.writeFirst());
        hs.readSecond(readHandshakeFrame(st.in));
        Connection.writeFrame(st.out, hs.writeThird());
        socket.setSoTimeout(0);
        return new Connection(socket, st.in, st.out, hs.result(), true);
    }

    private Connection respond(Socket socket) throws IOException, HandshakeException {
        Streams st = streams(socket);
        ChannelHandshake hs = ChannelHandshake.responder(identity, random);
        hs.readFirst(readHandshakeFrame(st.in));
        Connection.writeFrame(st.out, hs.writeSecond());
        hs.readThird(readHandshakeFrame(st.in));
        socket.setSoTimeout(0);
        return new Connection(socket, st.in, st.out, hs.result(), false);
    }

    private record Streams(DataInputStream in, DataOutputStream out) {
    }

    private static Streams streams(Socket socket) throws IOException {
        // The whole handshake must finish in time, or a silent peer could hold a thread forever.
        socket.setSoTimeout((int) HANDSHAKE_TIMEOUT.toMillis());
        socket.setTcpNoDelay(true);
        return new Streams(new DataInputStream(new BufferedInputStream(socket.getInputStream())),
                new DataOutputStream(new BufferedOutputStream(socket.getOutputStream())));
    }

    private static byte[] readHandshakeFrame(DataInputStream in) throws IOException, HandshakeException {
        int len = in.readUnsignedShort();
        if (len > MAX_HANDSHAKE_MESSAGE) {
            throw new HandshakeException("handshake message too large");
        }
        byte[] b = new byte[len];
        in.readFully(b);
        return b;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    @Override
    public void close() {
        ServerSocket s = server;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
        threads.shutdownNow();
    }

}
