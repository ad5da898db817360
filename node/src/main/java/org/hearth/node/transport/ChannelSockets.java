package org.hearth.node.transport;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import org.hearth.core.channel.ChannelHandshake;
import org.hearth.core.channel.HandshakeException;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.Identity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The channel handshake over any connected socket (TCP, or a Tor circuit through SOCKS), and the accept loop
 * every transport shares. A handshake must finish within {@link #HANDSHAKE_TIMEOUT}; its frames are capped.
 */
public final class ChannelSockets {
    private static final Logger LOG = LoggerFactory.getLogger(ChannelSockets.class);
    public static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /** Handshake messages are small; anything bigger is hostile. */
    private static final int MAX_HANDSHAKE_MESSAGE = 1024;

    /** Inbound handshakes in progress at once; more are refused, so slow clients cannot pile up. */
    static final int MAX_PENDING_HANDSHAKES = 128;
    /** Closes sockets whose handshake overran its deadline (a per-read timeout alone lets a trickle last forever). */
    private static final java.util.concurrent.ScheduledExecutorService DEADLINES =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "handshake-deadlines");
                t.setDaemon(true);
                return t;
            });

    private final Identity identity;
    private final RandomSource random;
    private final java.util.concurrent.Semaphore pending = new java.util.concurrent.Semaphore(MAX_PENDING_HANDSHAKES);

    public ChannelSockets(Identity identity, RandomSource random) {
        this.identity = identity;
        this.random = random;
    }

    public Identity identity() {
        return identity;
    }

    /** Accepts until the server socket closes, running each handshake on its own (virtual) thread. */
    public void serve(ServerSocket server, Consumer<Connection> onInbound, ExecutorService threads) {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (!server.isClosed()) {
                    LOG.warn("accept failed: {}", e.getMessage());
                }
                continue;
            }
            if (!pending.tryAcquire()) {
                closeQuietly(socket);
                continue;
            }
            threads.submit(() -> {
                try {
                    onInbound.accept(respond(socket));
                } catch (IOException | HandshakeException e) {
                    LOG.debug("inbound handshake failed: {}", e.getMessage());
                    closeQuietly(socket);
                } finally {
                    pending.release();
                }
            });
        }
    }

    /** Runs the initiator's side on a connected socket; closes it on failure. */
    public Connection initiate(Socket socket, Address expected) throws IOException, HandshakeException {
        java.util.concurrent.ScheduledFuture<?> deadline = deadline(socket);
        try {
            Streams st = streams(socket);
            ChannelHandshake hs = ChannelHandshake.initiator(identity, expected, random);
            Connection.writeFrame(st.out, hs.writeFirst());
            hs.readSecond(readHandshakeFrame(st.in));
            Connection.writeFrame(st.out, hs.writeThird());
            socket.setSoTimeout(0);
            return new Connection(socket, st.in, st.out, hs.result(), true);
        } catch (IOException | HandshakeException | RuntimeException e) {
            closeQuietly(socket);
            throw e;
        } finally {
            deadline.cancel(false);
        }
    }

    private static java.util.concurrent.ScheduledFuture<?> deadline(Socket socket) {
        return DEADLINES.schedule(() -> closeQuietly(socket), HANDSHAKE_TIMEOUT.toMillis(),
                java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    Connection respond(Socket socket) throws IOException, HandshakeException {
        java.util.concurrent.ScheduledFuture<?> deadline = deadline(socket);
        try {
            Streams st = streams(socket);
            ChannelHandshake hs = ChannelHandshake.responder(identity, random);
            hs.readFirst(readHandshakeFrame(st.in));
            Connection.writeFrame(st.out, hs.writeSecond());
            hs.readThird(readHandshakeFrame(st.in));
            socket.setSoTimeout(0);
            return new Connection(socket, st.in, st.out, hs.result(), false);
        } finally {
            deadline.cancel(false);
        }
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

    public static void closeQuietly(java.io.Closeable s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
