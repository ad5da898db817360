package org.hearth.core.fuzz;

import static org.assertj.core.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import org.hearth.core.channel.ChannelHandshake;
import org.hearth.core.channel.HandshakeException;
import org.hearth.core.crypto.CryptoException;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.crypto.X25519;
import org.hearth.core.identity.Identity;
import org.hearth.core.noise.HandshakeState;

/**
 * Jazzer targets for the read steps of {@link ChannelHandshake} (docs/protocol.md §2): every failure caused by
 * the peer's bytes is a {@link HandshakeException}. Randomness is seeded per run, so the ephemeral and static
 * keys are the same every time and an input replays exactly.
 *
 * <p>The raw-bytes targets cannot get past Noise's AEAD; the {@code InValidNoise} targets put the fuzzer's
 * payload inside a genuine Noise message from a peer with its own static key, which reaches the identity
 * payload decoder. Regression inputs:
 * {@code src/test/resources/org/hearth/core/fuzz/HandshakeReadFuzzTestInputs/<method>/}.
 */
class HandshakeReadFuzzTest {
    private static final byte[] PROLOGUE = ChannelHandshake.PROLOGUE.getBytes(StandardCharsets.UTF_8);
    private static final Identity ALICE = FuzzFixture.ALICE;
    private static final Identity BOB = FuzzFixture.BOB;

    /** Responder, message 1: 32 bytes of ephemeral key or a refusal; then message 2 may refuse a low-order key. */
    @FuzzTest
    void readFirst_fuzzedBytes_handshakeExceptionOrNextStep(byte[] data) {
        ChannelHandshake responder = ChannelHandshake.responder(BOB, FuzzFixture.seeded(1));
        try {
            responder.readFirst(data);
            responder.writeSecond();
        } catch (HandshakeException refused) {
            // refused, as it should be
        }
    }

    /** Initiator, message 2 as raw bytes: never accepted (only bob's key could have made it). */
    @FuzzTest
    void readSecond_fuzzedBytes_handshakeException(byte[] data) {
        ChannelHandshake initiator = ChannelHandshake.initiator(ALICE, BOB.address(), FuzzFixture.seeded(2));
        initiator.writeFirst();
        mustRefuse(() -> initiator.readSecond(data), data);
    }

    /**
     * Initiator, message 2 from a responder with its own Noise static key and the fuzzer's payload: whatever
     * identity the payload names, it is not bob's signature over that static key, so it must be refused.
     */
    @FuzzTest
    void readSecond_fuzzedPayloadInValidNoise_handshakeException(byte[] payload) throws CryptoException {
        RandomSource random = FuzzFixture.seeded(3);
        ChannelHandshake initiator = ChannelHandshake.initiator(ALICE, BOB.address(), random);
        HandshakeState forger = HandshakeState.responder(PROLOGUE, X25519.generate(random), random);
        forger.readMessage(initiator.writeFirst());
        byte[] second = forger.writeMessage(payload);
        mustRefuse(() -> initiator.readSecond(second), payload);
    }

    /**
     * Responder, message 3 from an initiator with its own Noise static key and the fuzzer's payload: accepted
     * only if the payload is an identity's valid signature over that static key (a regression input carries
     * one), otherwise a HandshakeException.
     */
    @FuzzTest
    void readThird_fuzzedPayloadInValidNoise_handshakeExceptionOrPeer(byte[] payload) throws CryptoException {
        RandomSource random = FuzzFixture.seeded(4);
        ChannelHandshake responder = ChannelHandshake.responder(BOB, random);
        HandshakeState dialler = HandshakeState.initiator(PROLOGUE, X25519.generate(random), random);
        try {
            responder.readFirst(dialler.writeMessage(new byte[0]));
            dialler.readMessage(responder.writeSecond());
            responder.readThird(dialler.writeMessage(payload));
        } catch (HandshakeException refused) {
            return;
        }
        if (!responder.isComplete()) {
            fail("readThird returned without completing or refusing");
        }
    }

    private interface Step {
        void run() throws HandshakeException;
    }

    private static void mustRefuse(Step step, byte[] input) {
        try {
            step.run();
        } catch (HandshakeException refused) {
            return;
        }
        fail(input.length + " bytes not from bob were accepted as bob's handshake message");
    }
}
