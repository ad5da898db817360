package org.hearth.core.noise;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.hearth.core.crypto.CryptoException;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.crypto.X25519;
import org.junit.jupiter.api.Test;

/**
 * The cacophony test vectors (public domain, see vectors/noise/LICENSE) for our one protocol: every
 * handshake message, the handshake hash, and the transport messages after Split. All mismatches are
 * collected so one run shows every difference.
 */
class NoiseCacophonyVectorsTest {
    private static final String RESOURCE = "/vectors/noise/cacophony_xx_25519_chachapoly.json";
    private static final HexFormat HEX = HexFormat.of();
    private static final int HANDSHAKE_MESSAGES = 3;

    @Test
    void cacophony_xx25519ChaChaPolySha256_allVectorsMatch() throws Exception {
        List<JsonNode> vectors = vectorsFor(Noise.PROTOCOL_NAME);
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < vectors.size(); i++) {
            run("vector " + i, vectors.get(i), mismatches);
        }
        assertThat(vectors).isNotEmpty();
        assertThat(mismatches).isEmpty();
    }

    private static void run(String name, JsonNode v, List<String> mismatches) {
        HandshakeState initiator = HandshakeState.initiator(hex(v, "init_prologue"),
                X25519.fromPrivate(hex(v, "init_static")), fixedRandom(hex(v, "init_ephemeral")));
        HandshakeState responder = HandshakeState.responder(hex(v, "resp_prologue"),
                X25519.fromPrivate(hex(v, "resp_static")), fixedRandom(hex(v, "resp_ephemeral")));
        JsonNode messages = v.get("messages");
        TransportCiphers initiatorCiphers = null;
        TransportCiphers responderCiphers = null;
        for (int m = 0; m < messages.size(); m++) {
            byte[] payload = HEX.parseHex(messages.get(m).get("payload").asText());
            String expected = messages.get(m).get("ciphertext").asText();
            // Cacophony alternates direction for every message, handshake and transport alike.
            boolean fromInitiator = m % 2 == 0;
            String where = name + " message " + m;
            try {
                byte[] ciphertext;
                byte[] decrypted;
                if (m < HANDSHAKE_MESSAGES) {
                    HandshakeState writer = fromInitiator ? initiator : responder;
                    HandshakeState reader = fromInitiator ? responder : initiator;
                    ciphertext = writer.writeMessage(payload);
                    decrypted = reader.readMessage(ciphertext);
                } else {
                    if (initiatorCiphers == null) {
                        String hash = v.get("handshake_hash").asText();
                        check(mismatches, name + " initiator handshake_hash", hash, initiator.handshakeHash().hex());
                        check(mismatches, name + " responder handshake_hash", hash, responder.handshakeHash().hex());
                        initiatorCiphers = initiator.split();
                        responderCiphers = responder.split();
                    }
                    CipherState sender = fromInitiator ? initiatorCiphers.sender() : responderCiphers.sender();
                    CipherState receiver = fromInitiator ? responderCiphers.receiver() : initiatorCiphers.receiver();
                    ciphertext = sender.encrypt(new byte[0], payload);
                    decrypted = receiver.decrypt(new byte[0], ciphertext);
                }
                check(mismatches, where + " ciphertext", expected, HEX.formatHex(ciphertext));
                check(mismatches, where + " payload", HEX.formatHex(payload), HEX.formatHex(decrypted));
            } catch (CryptoException | RuntimeException e) {
                mismatches.add(where + " threw " + e);
                return;
            }
        }
    }

    private static void check(List<String> mismatches, String what, String expected, String actual) {
        if (!expected.equals(actual)) {
            mismatches.add(what + ": expected " + expected + " but was " + actual);
        }
    }

    /**
     * The ephemeral key is fixed by the randomness: X25519.generate takes the 32 random bytes as the private
     * key, so no test-only hook is needed in HandshakeState. Handing out the key twice would be a bug.
     */
    private static RandomSource fixedRandom(byte[] ephemeralPrivateKey) {
        boolean[] used = {false};
        return out -> {
            if (used[0] || out.length != ephemeralPrivateKey.length) {
                throw new IllegalStateException("unexpected request for randomness");
            }
            used[0] = true;
            System.arraycopy(ephemeralPrivateKey, 0, out, 0, out.length);
        };
    }

    private static byte[] hex(JsonNode v, String field) {
        return HEX.parseHex(v.get(field).asText());
    }

    private static List<JsonNode> vectorsFor(String protocolName) throws IOException {
        try (InputStream in = NoiseCacophonyVectorsTest.class.getResourceAsStream(RESOURCE)) {
            assertThat(in).as(RESOURCE).isNotNull();
            List<JsonNode> out = new ArrayList<>();
            for (JsonNode v : new ObjectMapper().readTree(in).get("vectors")) {
                if (protocolName.equals(v.get("protocol_name").asText())) {
                    out.add(v);
                }
            }
            return out;
        }
    }
}
