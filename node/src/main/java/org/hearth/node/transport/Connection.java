package org.hearth.node.transport;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import org.hearth.core.channel.ChannelHandshake;
import org.hearth.core.channel.FramePadding;
import org.hearth.core.crypto.CryptoException;
import org.hearth.core.identity.Address;
import org.hearth.core.noise.CipherState;
import org.hearth.core.wire.MalformedMessageException;

/**
 * An authenticated, encrypted channel to one peer over a byte stream. Frames on the stream are
 * {@code u16be(length) ‖ Noise ciphertext}, every ciphertext one of {@link FramePadding}'s sizes.
 * Sends are serialised; one reader thread calls {@link #receive()}.
 */
public final class Connection implements Closeable {
    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final Address peer;
    private final boolean initiator;
    private final CipherState sender;
    private final CipherState receiver;
    private volatile boolean closed;

    Connection(Socket socket, DataInputStream in, DataOutputStream out, ChannelHandshake.Established est,
            boolean initiator) {
        this.socket = socket;
        this.in = in;
        this.out = out;
        this.peer = est.peer();
        this.initiator = initiator;
        this.sender = est.sender();
        this.receiver = est.receiver();
    }

    public Address peer() {
        return peer;
    }

    /** Whether this side dialled: used to break ties when both sides dial at once. */
    public boolean initiatedLocally() {
        return initiator;
    }

    public void send(byte[] payload) throws IOException {
        byte[] ciphertext;
        synchronized (sender) {
            ciphertext = sender.encrypt(new byte[0], FramePadding.pad(payload));
            writeFrame(out, ciphertext);
        }
    }

    /** Blocks for the next frame's payload. Throws EOFException when the peer closed the stream. */
    public byte[] receive() throws IOException, MalformedMessageException {
        byte[] ciphertext = readFrame(in);
        if (!FramePadding.isBucketSize(ciphertext.length)) {
            throw new MalformedMessageException("frame of unexpected size " + ciphertext.length);
        }
        try {
            return FramePadding.unpad(receiver.decrypt(new byte[0], ciphertext));
        } catch (CryptoException e) {
            throw new MalformedMessageException("frame failed authentication", e);
        }
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a socket that is already gone
        }
    }

    static void writeFrame(OutputStream out, byte[] frame) throws IOException {
        if (frame.length > FramePadding.MAX_CIPHERTEXT) {
            throw new IllegalArgumentException("frame too large");
        }
        out.write(frame.length >>> 8);
        out.write(frame.length);
        out.write(frame);
        out.flush();
    }

    static byte[] readFrame(DataInputStream in) throws IOException {
        int len;
        try {
            len = in.readUnsignedShort();
        } catch (EOFException e) {
            throw e;
        }
        byte[] frame = new byte[len];
        in.readFully(frame);
        return frame;
    }
}
