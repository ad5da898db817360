package org.hearth.core.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.crypto.X25519;
import org.hearth.core.identity.Identity;
import org.hearth.core.noise.HandshakeState;
import org.junit.jupiter.api.Test;

/**
 * Hostile bytes at every read step must end in {@link HandshakeException} (or, for the unauthenticated
 * first message, success), never another exception. Seeded, so a failure replays; the failing seed and
 * input length are in the message.
 */
class ChannelHandshakeFuzzTest {
    private static final int RUNS = 500;
    private static final int MAX_LENGTH = 1300;

    private final RandomSource random = ChannelHandshakeTest.seeded(7);
    private final Identity alice = Identity.generate(random);
    private final Identity bob = Identity.generate(random);

    @Test
    void readFirst_randomBytes_onlyHandshakeExceptionOrSuccess() throws Exception {
        List<String> unexpected = new ArrayList<>();
        for (int seed = 0; seed < RUNS; seed++) {
            byte[] input = randomInput(seed);
            ChannelHandshake responder = ChannelHandshake.responder(bob, random);
            try {
                responder.readFirst(input);
                assertThat(input).hasSize(ChannelHandshake.FIRST_LENGTH);
                responder.writeSecond();
            } catch (HandshakeException expected) {
                // refused, as it should be
            } catch (RuntimeException e) {
                unexpected.add("seed " + seed + " (" + input.length + " bytes): " + e);
            }
        }
        assertThat(unexpected).isEmpty();
    }

    @Test
    void readSecond_randomBytes_onlyHandshakeException() {
        List<String> unexpected = new ArrayList<>();
        for (int seed = 0; seed < RUNS; seed++) {
            byte[] input = randomInput(seed);
            ChannelHandshake initiator = ChannelHandshake.initiator(alice, bob.address(), random);
            initiator.writeFirst();
            expectRefusal(unexpected, seed, input, () -> initiator.readSecond(input));
        }
        assertThat(unexpected).isEmpty();
    }

    @Test
    void readThird_randomBytes_onlyHandshakeException() throws Exception {
        List<String> unexpected = new ArrayList<>();
        for (int seed = 0; seed < RUNS; seed++) {
            byte[] input = randomInput(seed);
            ChannelHandshake responder = ChannelHandshake.responder(bob, random);
            responder.readFirst(ChannelHandshake.initiator(alice, bob.address(), random).writeFirst());
            responder.writeSecond();
            expectRefusal(unexpected, seed, input, () -> responder.readThird(input));
        }
        assertThat(unexpected).isEmpty();
    }

    /**
     * Random bytes never get past Noise's AEAD, so this sends random payloads inside genuine Noise messages
     * to reach the payload decoder, half of them mutations of a valid payload.
     */
    @Test
    void readSecond_randomPayloadInValidNoise_onlyHandshakeException() throws Exception {
        byte[] prologue = ChannelHandshake.PROLOGUE.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        List<String> unexpected = new ArrayList<>();
        for (int seed = 0; seed < RUNS; seed++) {
            Random r = new Random(seed);
            ChannelHandshake initiator = ChannelHandshake.initiator(alice, bob.address(), random);
            X25519.KeyPair forgerStatic = X25519.generate(random);
            HandshakeState forger = HandshakeState.responder(prologue, forgerStatic, random);
            forger.readMessage(initiator.writeFirst());
            byte[] payload;
            if (seed % 2 == 0) {
                payload = new byte[r.nextInt(200)];
                r.nextBytes(payload);
            } else {
                payload = HandshakePayloads.encode(bob, forgerStatic.publicKey());
                payload[r.nextInt(payload.length)] ^= (byte) (1 + r.nextInt(255));
            }
            byte[] second = forger.writeMessage(payload);
            expectRefusal(unexpected, seed, payload, () -> initiator.readSecond(second));
        }
        assertThat(unexpected).isEmpty();
    }

    private interface Step {
        void run() throws HandshakeException;
    }

    private static void expectRefusal(List<String> unexpected, int seed, byte[] input, Step step) {
        try {
            step.run();
            fail("seed " + seed + ": " + input.length + " hostile bytes were accepted");
        } catch (HandshakeException expected) {
            // refused, as it should be
        } catch (RuntimeException e) {
            unexpected.add("seed " + seed + " (" + input.length + " bytes): " + e);
        }
    }

    /** Mostly short inputs and the lengths near the real message sizes, where parsing decisions are made. */
    private static byte[] randomInput(int seed) {
        Random r = new Random(seed);
        int[] interesting = {0, 1, 31, 32, 33, 63, 64, 95, 96, 97, 200, 1088, 1120, 1121};
        int length = seed % 3 == 0 ? interesting[r.nextInt(interesting.length)] : r.nextInt(MAX_LENGTH);
        byte[] input = new byte[length];
        r.nextBytes(input);
        return input;
    }
}
