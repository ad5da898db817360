package org.hearth.node.transport.tor;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.hearth.core.identity.HostPort;

/**
 * A SOCKS5 client (RFC 1928) for tor's SocksPort: no authentication, CONNECT to a host name (ATYP 0x03) so that
 * tor, not we, resolves the {@code .onion}. With {@code ExtendedErrors} tor's reply codes 0xF0-0xF7 say why an
 * onion failed; they are in the exception.
 */
final class Socks5 {
    private static final int CONNECT_TO_PROXY_MS = 10_000;

    private Socks5() {
    }

    /** A SOCKS reply other than success; {@code code} is the reply byte (-1: the proxy broke the protocol). */
    static final class SocksException extends IOException {
        private final int code;

        SocksException(int code, String message) {
            super(message);
            this.code = code;
        }

        int code() {
            return code;
        }

        /** Codes about the onion service itself (tor's extended errors), as opposed to the proxy or the network. */
        boolean onionFailure() {
            return code >= 0xF0 && code <= 0xF7;
        }
    }

    /** Connects through the proxy; the returned socket is a stream to {@code host:port}. */
    static Socket connect(HostPort proxy, String host, int port, Duration timeout) throws IOException {
        byte[] name = host.getBytes(StandardCharsets.US_ASCII);
        if (name.length == 0 || name.length > 255) {
            throw new IllegalArgumentException("SOCKS host name must be 1-255 bytes");
        }
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(proxy.host(), proxy.port()), CONNECT_TO_PROXY_MS);
            s.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
            OutputStream out = s.getOutputStream();
            DataInputStream in = new DataInputStream(s.getInputStream());
            out.write(new byte[] {5, 1, 0}); // version 5, one method: no authentication
            out.flush();
            if (in.readUnsignedByte() != 5 || in.readUnsignedByte() != 0) {
                throw new SocksException(-1, "the SOCKS proxy refused the no-authentication method");
            }
            byte[] req = new byte[7 + name.length];
            req[0] = 5; // version
            req[1] = 1; // CONNECT
            req[2] = 0; // reserved
            req[3] = 3; // ATYP: domain name
            req[4] = (byte) name.length;
            System.arraycopy(name, 0, req, 5, name.length);
            req[5 + name.length] = (byte) (port >>> 8);
            req[6 + name.length] = (byte) port;
            out.write(req);
            out.flush();
            readReply(in);
            s.setSoTimeout(0);
            return s;
        } catch (SocketTimeoutException e) {
            closeQuietly(s);
            throw new IOException("no answer through tor within " + timeout.toSeconds() + " s", e);
        } catch (IOException | RuntimeException e) {
            closeQuietly(s);
            throw e;
        }
    }

    private static void readReply(DataInputStream in) throws IOException {
        int version = in.readUnsignedByte();
        int rep = in.readUnsignedByte();
        in.readUnsignedByte(); // reserved
        int atyp = in.readUnsignedByte();
        if (version != 5) {
            throw new SocksException(-1, "the SOCKS proxy answered with version " + version);
        }
        if (rep != 0) {
            throw new SocksException(rep, "tor could not connect: " + describe(rep) + String.format(" (SOCKS 0x%02X)", rep));
        }
        int addrLen = switch (atyp) {
            case 1 -> 4;
            case 4 -> 16;
            case 3 -> in.readUnsignedByte();
            default -> throw new SocksException(-1, "the SOCKS proxy answered with address type " + atyp);
        };
        in.readFully(new byte[addrLen + 2]); // bound address and port: meaningless through tor
    }

    static String describe(int code) {
        return switch (code) {
            case 0x01 -> "general failure";
            case 0x02 -> "not allowed by the proxy";
            case 0x03 -> "network unreachable";
            case 0x04 -> "host unreachable";
            case 0x05 -> "connection refused";
            case 0x06 -> "TTL expired (circuit timed out)";
            case 0x07 -> "command not supported";
            case 0x08 -> "address type not supported";
            case 0xF0 -> "onion service descriptor not found (offline, or not yet published)";
            case 0xF1 -> "onion service descriptor is invalid";
            case 0xF2 -> "onion service introduction failed";
            case 0xF3 -> "onion service rendezvous failed";
            case 0xF4 -> "onion service needs client authorization";
            case 0xF5 -> "onion service client authorization is wrong";
            case 0xF6 -> "bad onion address";
            case 0xF7 -> "onion service introduction timed out";
            default -> "unknown error";
        };
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already failing
        }
    }
}
