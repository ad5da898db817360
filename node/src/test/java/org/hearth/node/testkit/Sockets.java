package org.hearth.node.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.hearth.core.identity.Endpoint;

/** Raw TCP helpers for tests that play a misbehaving peer. */
public final class Sockets {
    private Sockets() {
    }

    public static Socket connect(Endpoint to) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(to.host(), to.port()), 5_000);
        s.setTcpNoDelay(true);
        return s;
    }

    /**
     * Reads and discards whatever the remote sends until it closes the connection (EOF or reset): true, or
     * until {@code bound} passes: false. A bound on an event, not a sleep: it returns as soon as the close comes.
     */
    public static boolean closedByRemoteWithin(Socket s, Duration bound) throws IOException {
        long deadline = System.nanoTime() + bound.toNanos();
        InputStream in = s.getInputStream();
        byte[] sink = new byte[4096];
        while (true) {
            long leftMs = (deadline - System.nanoTime()) / 1_000_000;
            if (leftMs <= 0) {
                return false;
            }
            s.setSoTimeout((int) Math.max(1, leftMs));
            try {
                if (in.read(sink) < 0) {
                    return true;
                }
            } catch (SocketTimeoutException e) {
                return false;
            } catch (SocketException e) {
                return true; // reset: the remote closed with our bytes unread
            }
        }
    }

    /** A loopback port nothing listens on right now (bound, then released). */
    public static int unusedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** {@code u16be(length)}, the frame header of the handshake and the transport. */
    public static byte[] lengthPrefix(int length) {
        return new byte[] {(byte) (length >>> 8), (byte) length};
    }
}
