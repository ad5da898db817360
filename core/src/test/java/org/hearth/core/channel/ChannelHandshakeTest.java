package org.hearth.core.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Function;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.crypto.X25519;
import org.hearth.core.identity.Identity;
import org.hearth.core.noise.HandshakeState;
import org.hearth.core.wire.proto.HandshakePayload;
import org.junit.jupiter.api.Test;

class ChannelHandshakeTest {
    private static final byte[] NONE = new byte[0];
    private static final byte[] PROLOGUE = ChannelHandshake.PROLOGUE.getBytes(StandardCharsets.UTF_8);

    private final RandomSource random = seeded(42);
    private final Identity alice = Identity.generate(random);
    private final Identity bob = Identity.generate(random);
    private final Identity mallory = Identity.generate(random);
    private final ChannelHandshake initiator = ChannelHandshake.initiator(alice, bob.address(), random);
    private final ChannelHandshake responder = ChannelHandshake.responder(bob, random);

    @Test
    void handshake_matchingIdentities_bothSidesEstablished() throws Exception {
        responder.readFirst(initiator.writeFirst());
        initiator.readSecond(responder.writeSecond());
        responder.readThird(initiator.writeThird());

        ChannelHandshake.Established a = initiator.result();
        ChannelHandshake.Established b = responder.result();
        assertThat(a.peer()).isEqualTo(bob.address());
        assertThat(b.peer()).isEqualTo(alice.address());
        assertThat(a.handshakeHash()).isEqualTo(b.handshakeHash());
        assertThat(b.receiver().decrypt(NONE, a.sender().encrypt(NONE, bytes("hi bob")))).isEqualTo(bytes("hi bob"));
        assertThat(a.receiver().decrypt(NONE, b.sender().encrypt(NONE, bytes("hi alice"))))
                .isEqualTo(bytes("hi alice"));
    }

    @Test
    void handshake_twice_differentKeysAndHashes() throws Exception {
        ChannelHandshake.Established first = run(ChannelHandshake.initiator(alice, bob.address(), random),
                ChannelHandshake.responder(bob, random));
        ChannelHandshake.Established second = run(ChannelHandshake.initiator(alice, bob.address(), random),
                ChannelHandshake.responder(bob, random));

        assertThat(first.handshakeHash()).isNotEqualTo(second.handshakeHash());
    }

    @Test
    void readSecond_wrongIdentity_refused() throws Exception {
        ChannelHandshake impostor = ChannelHandshake.responder(mallory, random);
        impostor.readFirst(initiator.writeFirst());

        assertThatThrownBy(() -> initiator.readSecond(impostor.writeSecond()))
                .isInstanceOf(HandshakeException.class).hasMessage("responder is not the node dialled");
        assertThatThrownBy(initiator::writeThird).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void readSecond_signatureOverAnotherStaticKey_refused() throws Exception {
        // Bob's genuine signature, but over a static key the sender does not hold: a replayed binding.
        Bytes otherStatic = X25519.generate(random).publicKey();
        byte[] second = forgedSecond(initiator.writeFirst(), ownStatic -> HandshakePayloads.encode(bob, otherStatic));

        assertThatThrownBy(() -> initiator.readSecond(second))
                .isInstanceOf(HandshakeException.class).hasMessage("identity signature invalid");
    }

    @Test
    void readThird_signatureOverAnotherStaticKey_refused() throws Exception {
        HandshakeState forger = HandshakeState.initiator(PROLOGUE, X25519.generate(random), random);
        responder.readFirst(forger.writeMessage(NONE));
        forger.readMessage(responder.writeSecond());
        byte[] third = forger.writeMessage(HandshakePayloads.encode(alice, X25519.generate(random).publicKey()));

        assertThatThrownBy(() -> responder.readThird(third))
                .isInstanceOf(HandshakeException.class).hasMessage("identity signature invalid");
        assertThatThrownBy(responder::result).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void readSecond_signatureByAnotherIdentity_refused() throws Exception {
        // Claims Bob's identity key but the signature is Mallory's.
        byte[] second = forgedSecond(initiator.writeFirst(), ownStatic -> genuine(mallory, ownStatic)
                .setIdentityKey(ByteString.copyFrom(bob.publicKey().toByteArray())).build().toByteArray());

        assertThatThrownBy(() -> initiator.readSecond(second))
                .isInstanceOf(HandshakeException.class).hasMessage("identity signature invalid");
    }

    @Test
    void readSecond_unsupportedVersion_refused() throws Exception {
        byte[] second = forgedSecond(initiator.writeFirst(),
                ownStatic -> genuine(bob, ownStatic).setVersion(2).build().toByteArray());

        assertThatThrownBy(() -> initiator.readSecond(second))
                .isInstanceOf(HandshakeException.class).hasMessageContaining("version 2");
    }

    @Test
    void readSecond_shortIdentityKey_refusedAsMalformed() throws Exception {
        byte[] second = forgedSecond(initiator.writeFirst(), ownStatic -> genuine(bob, ownStatic)
                .setIdentityKey(ByteString.copyFrom(new byte[31])).build().toByteArray());

        assertThatThrownBy(() -> initiator.readSecond(second))
                .isInstanceOf(HandshakeException.class).hasMessageStartingWith("handshake message malformed");
    }

    @Test
    void readSecond_payloadNotProtobuf_refusedAsMalformed() throws Exception {
        byte[] second = forgedSecond(initiator.writeFirst(), ownStatic -> new byte[] {(byte) 0xFF, (byte) 0xFF});

        assertThatThrownBy(() -> initiator.readSecond(second))
                .isInstanceOf(HandshakeException.class).hasMessageStartingWith("handshake message malformed");
    }

    @Test
    void readSecond_payloadOverLimit_refusedAsMalformed() throws Exception {
        byte[] second = forgedSecond(initiator.writeFirst(), ownStatic -> new byte[2000]);

        assertThatThrownBy(() -> initiator.readSecond(second))
                .isInstanceOf(HandshakeException.class).hasMessageStartingWith("handshake message malformed");
    }

    @Test
    void readSecond_everyTruncation_refused() throws Exception {
        byte[] second = secondFromFreshPair(initiator, responder);
        for (int n = 0; n < second.length; n++) {
            ChannelHandshake i = ChannelHandshake.initiator(alice, bob.address(), random);
            ChannelHandshake r = ChannelHandshake.responder(bob, random);
            byte[] truncated = Arrays.copyOf(secondFromFreshPair(i, r), n);
            assertThatThrownBy(() -> i.readSecond(truncated)).as("length %d", n)
                    .isInstanceOf(HandshakeException.class);
        }
    }

    @Test
    void readSecond_everyBitFlip_refused() throws Exception {
        int length = secondFromFreshPair(initiator, responder).length;
        for (int n = 0; n < length; n++) {
            ChannelHandshake i = ChannelHandshake.initiator(alice, bob.address(), random);
            byte[] second = secondFromFreshPair(i, ChannelHandshake.responder(bob, random));
            second[n] ^= 0x04;
            assertThatThrownBy(() -> i.readSecond(second)).as("byte %d", n).isInstanceOf(HandshakeException.class);
        }
    }

    @Test
    void readThird_bitFlip_refusedWithDecryptionFailure() throws Exception {
        responder.readFirst(initiator.writeFirst());
        initiator.readSecond(responder.writeSecond());
        byte[] third = initiator.writeThird();
        third[10] ^= 0x01;

        assertThatThrownBy(() -> responder.readThird(third))
                .isInstanceOf(HandshakeException.class).hasMessage("decryption failed");
    }

    @Test
    void readFirst_tampered_initiatorRefusesSecond() throws Exception {
        byte[] first = initiator.writeFirst();
        first[0] ^= 0x01;
        responder.readFirst(first);

        assertThatThrownBy(() -> initiator.readSecond(responder.writeSecond()))
                .isInstanceOf(HandshakeException.class);
    }

    @Test
    void readFirst_wrongLength_refusedAsMalformed() {
        assertThatThrownBy(() -> responder.readFirst(new byte[33]))
                .isInstanceOf(HandshakeException.class).hasMessageStartingWith("handshake message malformed");
        assertThatThrownBy(() -> responder.readFirst(new byte[32])).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void writeSecond_lowOrderEphemeral_refused() throws Exception {
        responder.readFirst(new byte[32]);

        assertThatThrownBy(responder::writeSecond)
                .isInstanceOf(HandshakeException.class).hasMessageContaining("low-order");
    }

    @Test
    void readSecond_differentPrologue_refused() throws Exception {
        X25519.KeyPair otherStatic = X25519.generate(random);
        HandshakeState other = HandshakeState.responder(bytes("hearth/channel/v2"), otherStatic, random);
        other.readMessage(initiator.writeFirst());
        byte[] second = other.writeMessage(HandshakePayloads.encode(bob, otherStatic.publicKey()));

        assertThatThrownBy(() -> initiator.readSecond(second))
                .isInstanceOf(HandshakeException.class).hasMessage("decryption failed");
    }

    @Test
    void steps_wrongRoleOrOrder_throwIllegalState() throws Exception {
        assertThatThrownBy(() -> initiator.readFirst(new byte[32])).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(responder::writeFirst).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(initiator::writeThird).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(initiator::result).isInstanceOf(IllegalStateException.class);
        initiator.writeFirst();
        assertThatThrownBy(initiator::writeFirst).isInstanceOf(IllegalStateException.class);
    }

    /** A responder driven by raw Noise, so the test chooses the payload of message 2. */
    private byte[] forgedSecond(byte[] first, Function<Bytes, byte[]> payloadForOwnStatic) throws Exception {
        X25519.KeyPair forgerStatic = X25519.generate(random);
        HandshakeState forger = HandshakeState.responder(PROLOGUE, forgerStatic, random);
        forger.readMessage(first);
        return forger.writeMessage(payloadForOwnStatic.apply(forgerStatic.publicKey()));
    }

    private static HandshakePayload.Builder genuine(Identity identity, Bytes noiseStatic) {
        return HandshakePayload.newBuilder()
                .setVersion(1)
                .setIdentityKey(ByteString.copyFrom(identity.publicKey().toByteArray()))
                .setStaticSignature(ByteString.copyFrom(identity.sign(HandshakePayloads.STATIC_SIGNATURE_LABEL,
                        noiseStatic.toByteArray()).toByteArray()));
    }

    private static byte[] secondFromFreshPair(ChannelHandshake i, ChannelHandshake r) throws Exception {
        r.readFirst(i.writeFirst());
        return r.writeSecond();
    }

    private static ChannelHandshake.Established run(ChannelHandshake i, ChannelHandshake r) throws Exception {
        r.readFirst(i.writeFirst());
        i.readSecond(r.writeSecond());
        r.readThird(i.writeThird());
        return i.result();
    }

    static RandomSource seeded(long seed) {
        Random r = new Random(seed);
        return r::nextBytes;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
