package org.hearth.core.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.hearth.core.crypto.CryptoException;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.crypto.X25519;
import org.junit.jupiter.api.Test;

class NoiseHandshakeStateTest {
    private static final byte[] PROLOGUE = "test prologue".getBytes(StandardCharsets.UTF_8);
    private static final byte[] NONE = new byte[0];

    private final RandomSource random = seeded(1);
    private final X25519.KeyPair initiatorStatic = X25519.generate(random);
    private final X25519.KeyPair responderStatic = X25519.generate(random);
    private final HandshakeState initiator = HandshakeState.initiator(PROLOGUE, initiatorStatic, random);
    private final HandshakeState responder = HandshakeState.responder(PROLOGUE, responderStatic, random);

    @Test
    void handshake_randomKeys_bothSidesAgree() throws Exception {
        assertThat(responder.readMessage(initiator.writeMessage(bytes("one")))).isEqualTo(bytes("one"));
        assertThat(initiator.readMessage(responder.writeMessage(bytes("two")))).isEqualTo(bytes("two"));
        assertThat(initiator.isComplete()).isFalse();
        assertThat(responder.readMessage(initiator.writeMessage(bytes("three")))).isEqualTo(bytes("three"));

        assertThat(initiator.isComplete()).isTrue();
        assertThat(responder.isComplete()).isTrue();
        assertThat(initiator.remoteStaticKey()).isEqualTo(responderStatic.publicKey());
        assertThat(responder.remoteStaticKey()).isEqualTo(initiatorStatic.publicKey());
        assertThat(initiator.handshakeHash()).isEqualTo(responder.handshakeHash());
    }

    @Test
    void split_afterHandshake_ciphersInteroperateBothWays() throws Exception {
        complete();
        TransportCiphers i = initiator.split();
        TransportCiphers r = responder.split();

        assertThat(r.receiver().decrypt(NONE, i.sender().encrypt(NONE, bytes("to responder"))))
                .isEqualTo(bytes("to responder"));
        assertThat(i.receiver().decrypt(NONE, r.sender().encrypt(NONE, bytes("to initiator"))))
                .isEqualTo(bytes("to initiator"));
    }

    @Test
    void split_calledTwice_throws() throws Exception {
        complete();
        initiator.split();

        assertThatThrownBy(initiator::split).isInstanceOf(IllegalStateException.class);
        assertThat(initiator.handshakeHash()).isEqualTo(responder.handshakeHash());
    }

    @Test
    void split_beforeComplete_throws() throws Exception {
        responder.readMessage(initiator.writeMessage(NONE));

        assertThatThrownBy(initiator::split).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(initiator::handshakeHash).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void readMessage_tamperedSecondMessage_refusedAtEveryByte() throws Exception {
        int length = 32 + 48 + "payload".length() + 16;
        for (int i = 0; i < length; i++) {
            RandomSource r = seeded(100 + i);
            HandshakeState a = HandshakeState.initiator(PROLOGUE, X25519.generate(r), r);
            HandshakeState b = HandshakeState.responder(PROLOGUE, X25519.generate(r), r);
            b.readMessage(a.writeMessage(NONE));
            byte[] second = b.writeMessage(bytes("payload"));
            assertThat(second).hasSize(length);
            second[i] ^= 0x01;
            assertThatThrownBy(() -> a.readMessage(second)).as("byte %d", i).isInstanceOf(CryptoException.class);
        }
    }

    @Test
    void readMessage_tamperedThirdMessage_refusedAndStateDead() throws Exception {
        responder.readMessage(initiator.writeMessage(NONE));
        initiator.readMessage(responder.writeMessage(NONE));
        byte[] third = initiator.writeMessage(NONE);
        third[third.length - 1] ^= 0x01;

        assertThatThrownBy(() -> responder.readMessage(third)).isInstanceOf(CryptoException.class)
                .hasMessage("decryption failed");
        assertThatThrownBy(() -> responder.readMessage(third)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(responder::remoteStaticKey).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void readMessage_differentPrologue_refused() throws Exception {
        HandshakeState other = HandshakeState.responder(bytes("other"), responderStatic, random);
        other.readMessage(initiator.writeMessage(NONE));

        assertThatThrownBy(() -> initiator.readMessage(other.writeMessage(NONE)))
                .isInstanceOf(CryptoException.class);
    }

    @Test
    void readMessage_truncated_refused() throws Exception {
        responder.readMessage(initiator.writeMessage(NONE));
        byte[] second = responder.writeMessage(NONE);

        assertThatThrownBy(() -> initiator.readMessage(java.util.Arrays.copyOf(second, 40)))
                .isInstanceOf(CryptoException.class).hasMessage("handshake message too short");
    }

    @Test
    void readMessage_overLimit_refused() {
        assertThatThrownBy(() -> responder.readMessage(new byte[Noise.MAX_MESSAGE_LENGTH + 1]))
                .isInstanceOf(CryptoException.class);
    }

    @Test
    void writeMessage_payloadOverLimit_throwsWithoutBreakingState() throws Exception {
        assertThatThrownBy(() -> initiator.writeMessage(new byte[Noise.MAX_MESSAGE_LENGTH - 31]))
                .isInstanceOf(IllegalArgumentException.class);

        byte[] atLimit = initiator.writeMessage(new byte[Noise.MAX_MESSAGE_LENGTH - 32]);
        assertThat(atLimit).hasSize(Noise.MAX_MESSAGE_LENGTH);
        assertThat(responder.readMessage(atLimit)).hasSize(Noise.MAX_MESSAGE_LENGTH - 32);
    }

    @Test
    void writeMessage_lowOrderPeerEphemeral_refused() throws Exception {
        // The all-zero point has order 1: any DH with it is all zeros, which X25519.agree refuses.
        responder.readMessage(new byte[32]);

        assertThatThrownBy(() -> responder.writeMessage(NONE)).isInstanceOf(CryptoException.class)
                .hasMessageContaining("low-order");
        assertThatThrownBy(() -> responder.writeMessage(NONE)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void calls_outOfTurn_throwIllegalState() throws Exception {
        assertThatThrownBy(() -> initiator.readMessage(new byte[32])).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> responder.writeMessage(NONE)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(initiator::remoteStaticKey).isInstanceOf(IllegalStateException.class);

        byte[] first = initiator.writeMessage(NONE);
        assertThatThrownBy(() -> initiator.writeMessage(NONE)).isInstanceOf(IllegalStateException.class);
        responder.readMessage(first);
        assertThatThrownBy(() -> responder.readMessage(first)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void writeMessage_afterComplete_throwsIllegalState() throws Exception {
        complete();

        assertThatThrownBy(() -> initiator.writeMessage(NONE)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> responder.readMessage(new byte[64])).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void destroy_midHandshake_refusesFurtherUse() throws Exception {
        byte[] first = initiator.writeMessage(NONE);
        initiator.destroy();
        responder.readMessage(first);

        assertThatThrownBy(() -> initiator.readMessage(responder.writeMessage(NONE)))
                .isInstanceOf(IllegalStateException.class);
    }

    private void complete() throws CryptoException {
        responder.readMessage(initiator.writeMessage(NONE));
        initiator.readMessage(responder.writeMessage(NONE));
        responder.readMessage(initiator.writeMessage(NONE));
    }

    static RandomSource seeded(long seed) {
        Random r = new Random(seed);
        return r::nextBytes;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
