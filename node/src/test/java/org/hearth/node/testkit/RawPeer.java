package org.hearth.node.testkit;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.function.Predicate;
import org.hearth.core.channel.ChannelHandshake;
import org.hearth.core.channel.FramePadding;
import org.hearth.core.channel.HandshakeException;
import org.hearth.core.crypto.CryptoException;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.Endpoint;
import org.hearth.core.identity.Identity;
import org.hearth.core.noise.CipherState;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.WireCodec;
import org.hearth.core.wire.proto.PeerMessage;

/**
 * A peer written from the protocol, not from the node's transport: it runs the real channel handshake over a
 * raw socket, then can send well-formed messages or any bytes it likes. For tests of what a node does with a
 * peer that is authenticated but hostile.
 */
public final class RawPeer implements Closeable {
    private final Identity identity;
    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final CipherState sender;
    private final CipherState receiver;
    private final Address remote;

    private RawPeer(Identity identity, Socket socket, DataInputStream in, DataOutputStream out,
            ChannelHandshake.Established est) {
        this.identity = identity;
        this.socket = socket;
        this.in = in;
        this.out = out;
        this.sender = est.sender();
        this.receiver = est.receiver();
        this.remote = est.peer();
    }

    /** Dials {@code node} with a fresh identity and completes the handshake. */
    public static RawPeer dial(Endpoint node) throws IOException, HandshakeException {
        return dial(node, Identity.generate(RandomSource.secure()));
    }

    public static RawPeer dial(Endpoint node, Identity identity) throws IOException, HandshakeException {
        Socket s = Sockets.connect(node);
        try {
            s.setSoTimeout(10_000);
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            ChannelHandshake hs = ChannelHandshake.initiator(identity, node.address(), RandomSource.secure());
            writeFrame(out, hs.writeFirst());
            hs.readSecond(readFrame(in));
            writeFrame(out, hs.writeThird());
            return new RawPeer(identity, s, in, out, hs.result());
        } catch (IOException | HandshakeException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * Accepts one connection on {@code listener} and answers the handshake as {@code identity}. {@code beforeAnswer}
     * runs after the TCP accept and before the handshake, while the dialler waits in it (its handshake deadline
     * applies).
     */
    public static RawPeer accept(ServerSocket listener, Identity identity, Runnable beforeAnswer)
            throws IOException, HandshakeException {
        Socket s = listener.accept();
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout(10_000);
            beforeAnswer.run();
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            ChannelHandshake hs = ChannelHandshake.responder(identity, RandomSource.secure());
            hs.readFirst(readFrame(in));
            writeFrame(out, hs.writeSecond());
            hs.readThird(readFrame(in));
            return new RawPeer(identity, s, in, out, hs.result());
        } catch (IOException | HandshakeException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Who is on the other end (the dialler, for an accepted channel). */
    public Address remote() {
        return remote;
    }

    public Identity identity() {
        return identity;
    }

    public Address address() {
        return identity.address();
    }

    public Socket socket() {
        return socket;
    }

    public void send(PeerMessage message) throws IOException {
        sendPayload(WireCodec.encode(message));
    }

    /** Pads and encrypts {@code payload} as a node would, whatever it contains. */
    public void sendPayload(byte[] payload) throws IOException {
        writeFrame(out, sender.encrypt(new byte[0], FramePadding.pad(payload)));
    }

    /** Encrypts {@code plaintext} as it is, unpadded: a frame only a broken or hostile peer sends. */
    public void sendUnpadded(byte[] plaintext) throws IOException {
        writeFrame(out, sender.encrypt(new byte[0], plaintext));
    }

    /** Writes {@code u16be(length) ‖ bytes} with no encryption: a frame the peer cannot have produced honestly. */
    public void sendRawFrame(byte[] bytes) throws IOException {
        writeFrame(out, bytes);
    }

    /** The next message the node sends, waiting at most {@code timeout}. */
    public PeerMessage receive(Duration timeout) throws IOException, MalformedMessageException {
        return WireCodec.decode(receiveFrame(timeout).payload());
    }

    /** One frame as it came off the wire: its ciphertext length and the payload inside. */
    public record Frame(int ciphertextLength, byte[] payload) {
    }

    /** The next frame, decrypted and unpadded but not decoded. */
    public Frame receiveFrame(Duration timeout) throws IOException, MalformedMessageException {
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        byte[] frame = readFrame(in);
        try {
            return new Frame(frame.length, FramePadding.unpad(receiver.decrypt(new byte[0], frame)));
        } catch (CryptoException e) {
            throw new MalformedMessageException("node sent a frame that does not decrypt", e);
        }
    }

    /** Skips messages until one matches; throws {@link SocketTimeoutException} when {@code timeout} passes first. */
    public PeerMessage receiveMatching(Predicate<PeerMessage> wanted, Duration timeout)
            throws IOException, MalformedMessageException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("no matching message within " + timeout);
            }
            PeerMessage m = receive(Duration.ofNanos(left));
            if (wanted.test(m)) {
                return m;
            }
        }
    }

    /**
     * Reads frames without decrypting them until the node closes the connection; returns how many there were.
     * Faster than any sender, so the node never waits on this reader.
     */
    public int drainFrames() {
        int frames = 0;
        byte[] sink = new byte[65535];
        try {
            socket.setSoTimeout(0);
            while (true) {
                in.readFully(sink, 0, in.readUnsignedShort());
                frames++;
            }
        } catch (IOException closed) {
            return frames;
        }
    }

    /** Whether the node closes this connection within {@code bound} (what it sends meanwhile is discarded). */
    public boolean closedByNodeWithin(Duration bound) throws IOException {
        return Sockets.closedByRemoteWithin(socket, bound);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private static void writeFrame(DataOutputStream out, byte[] frame) throws IOException {
        out.write(Sockets.lengthPrefix(frame.length));
        out.write(frame);
        out.flush();
    }

    private static byte[] readFrame(DataInputStream in) throws IOException {
        byte[] frame = new byte[in.readUnsignedShort()];
        in.readFully(frame);
        return frame;
    }
}
