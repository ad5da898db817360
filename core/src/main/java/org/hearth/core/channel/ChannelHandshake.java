package org.hearth.core.channel;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.crypto.CryptoException;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.crypto.X25519;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.Identity;
import org.hearth.core.noise.CipherState;
import org.hearth.core.noise.HandshakeState;
import org.hearth.core.noise.Noise;
import org.hearth.core.noise.TransportCiphers;

/**
 * Hearth's channel handshake: Noise XX with a fresh X25519 static key per handshake, bound to each side's
 * Ed25519 identity by a signature over that static key, carried in the payloads of messages 2 and 3.
 *
 * <pre>
 *   initiator                                responder
 *   writeFirst()   -- e -------------------&gt;  readFirst()
 *   readSecond()   &lt;- e, ee, s, es, payload --  writeSecond()
 *   writeThird()   -- s, se, payload ------&gt;  readThird()
 * </pre>
 *
 * The initiator refuses a responder whose identity is not the address it dialled. Every failure caused by
 * the peer's bytes is a {@link HandshakeException}, after which the handshake is dead; calling a step out
 * of order or in the wrong role is a programming error ({@link IllegalStateException}).
 */
public final class ChannelHandshake {
    /** Hashed into the transcript by both sides, so another protocol or version cannot complete with us. */
    public static final String PROLOGUE = "hearth/channel/v1";

    /** {@code e}, with an empty payload. */
    static final int FIRST_LENGTH = 32;
    /** {@code e}, encrypted {@code s}, tagged payload. */
    static final int SECOND_MIN_LENGTH = 32 + 32 + Noise.TAG_LENGTH + Noise.TAG_LENGTH;
    /** Encrypted {@code s}, tagged payload. */
    static final int THIRD_MIN_LENGTH = 32 + Noise.TAG_LENGTH + Noise.TAG_LENGTH;

    /** The established channel: who the peer is, and the transport ciphers of this side. */
    public record Established(Address peer, CipherState sender, CipherState receiver, Bytes handshakeHash) {
        public Established {
            Objects.requireNonNull(peer, "peer");
            Objects.requireNonNull(sender, "sender");
            Objects.requireNonNull(receiver, "receiver");
            Objects.requireNonNull(handshakeHash, "handshakeHash");
        }
    }

    /** The step the handshake expects next. */
    private enum Step { WRITE_FIRST, READ_FIRST, WRITE_SECOND, READ_SECOND, WRITE_THIRD, READ_THIRD, DONE, FAILED }

    private final Identity me;
    private final Address expectedPeer;
    private final X25519.KeyPair noiseStatic;
    private final HandshakeState noise;
    private Step step;
    private Address peer;
    private Established result;

    private ChannelHandshake(Identity me, Address expectedPeer, boolean initiator, RandomSource random) {
        this.me = Objects.requireNonNull(me, "me");
        this.expectedPeer = expectedPeer;
        Objects.requireNonNull(random, "random");
        // A fresh static key per handshake: the identity signature binds it, so nothing needs storing.
        this.noiseStatic = X25519.generate(random);
        byte[] prologue = PROLOGUE.getBytes(StandardCharsets.UTF_8);
        this.noise = initiator
                ? HandshakeState.initiator(prologue, noiseStatic, random)
                : HandshakeState.responder(prologue, noiseStatic, random);
        this.step = initiator ? Step.WRITE_FIRST : Step.READ_FIRST;
    }

    /** The side that dials {@code expectedPeer}; the handshake fails unless that node answers. */
    public static ChannelHandshake initiator(Identity me, Address expectedPeer, RandomSource random) {
        return new ChannelHandshake(me, Objects.requireNonNull(expectedPeer, "expectedPeer"), true, random);
    }

    /** The side that accepts; it learns the initiator's identity from message 3. */
    public static ChannelHandshake responder(Identity me, RandomSource random) {
        return new ChannelHandshake(me, null, false, random);
    }

    public byte[] writeFirst() {
        expect(Step.WRITE_FIRST);
        byte[] message = writeInfallible(new byte[0]);
        step = Step.READ_SECOND;
        return message;
    }

    public void readFirst(byte[] message) throws HandshakeException {
        expect(Step.READ_FIRST);
        checkLength(message, FIRST_LENGTH, FIRST_LENGTH);
        read(message);
        step = Step.WRITE_SECOND;
    }

    /** Throws only if the initiator's ephemeral key in message 1 was a low-order point. */
    public byte[] writeSecond() throws HandshakeException {
        expect(Step.WRITE_SECOND);
        byte[] message;
        try {
            message = noise.writeMessage(HandshakePayloads.encode(me, noiseStatic.publicKey()));
        } catch (CryptoException e) {
            throw fail(e.getMessage(), e);
        }
        step = Step.READ_THIRD;
        return message;
    }

    public void readSecond(byte[] message) throws HandshakeException {
        expect(Step.READ_SECOND);
        checkLength(message, SECOND_MIN_LENGTH, SECOND_MIN_LENGTH + HandshakePayloads.MAX_PAYLOAD_LENGTH);
        Address responder = verifyPayload(read(message));
        if (!responder.equals(expectedPeer)) {
            throw fail("responder is not the node dialled", null);
        }
        peer = responder;
        step = Step.WRITE_THIRD;
    }

    public byte[] writeThird() {
        expect(Step.WRITE_THIRD);
        byte[] message = writeInfallible(HandshakePayloads.encode(me, noiseStatic.publicKey()));
        finish();
        return message;
    }

    public void readThird(byte[] message) throws HandshakeException {
        expect(Step.READ_THIRD);
        checkLength(message, THIRD_MIN_LENGTH, THIRD_MIN_LENGTH + HandshakePayloads.MAX_PAYLOAD_LENGTH);
        peer = verifyPayload(read(message));
        finish();
    }

    public boolean isComplete() {
        return step == Step.DONE;
    }

    /** The established channel; only after the last step succeeded. */
    public Established result() {
        if (step != Step.DONE) {
            throw new IllegalStateException("handshake is not complete");
        }
        return result;
    }

    private byte[] read(byte[] message) throws HandshakeException {
        try {
            return noise.readMessage(message);
        } catch (CryptoException e) {
            throw fail(e.getMessage(), e);
        }
    }

    /**
     * The initiator's writes cannot meet a low-order key: message 1 does no DH, and message 3's only DH (se)
     * uses the responder's ephemeral, which ee already accepted in readSecond (an all-zero X25519 output
     * depends only on the peer's point, since scalars are clamped to multiples of 8).
     */
    private byte[] writeInfallible(byte[] payload) {
        try {
            return noise.writeMessage(payload);
        } catch (CryptoException e) {
            abort();
            throw new IllegalStateException("initiator write cannot fail after a successful read", e);
        }
    }

    private Address verifyPayload(byte[] payload) throws HandshakeException {
        try {
            return HandshakePayloads.verify(payload, noise.remoteStaticKey());
        } catch (HandshakeException e) {
            abort();
            throw e;
        }
    }

    private void checkLength(byte[] message, int min, int max) throws HandshakeException {
        if (message.length < min || message.length > max) {
            throw fail("handshake message malformed: " + message.length + " bytes, expected "
                    + (min == max ? String.valueOf(min) : min + " to " + max), null);
        }
    }

    private void finish() {
        TransportCiphers ciphers = noise.split();
        result = new Established(peer, ciphers.sender(), ciphers.receiver(), noise.handshakeHash());
        noiseStatic.privateKey().destroy();
        step = Step.DONE;
    }

    private HandshakeException fail(String reason, Throwable cause) {
        abort();
        return new HandshakeException(reason, cause);
    }

    /** A failed handshake is never resumed: wipe everything it holds. */
    private void abort() {
        step = Step.FAILED;
        noise.destroy();
        noiseStatic.privateKey().destroy();
    }

    private void expect(Step wanted) {
        if (step != wanted) {
            throw new IllegalStateException("handshake expects " + step + " next, not " + wanted);
        }
    }

    @Override
    public String toString() {
        return "ChannelHandshake[" + step + (peer == null ? "" : ", peer " + peer.scrubbed()) + "]";
    }
}
