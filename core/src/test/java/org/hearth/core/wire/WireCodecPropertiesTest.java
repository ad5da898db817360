package org.hearth.core.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hearth.core.testkit.Property.bytes;
import static org.hearth.core.testkit.Property.forAll;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.hearth.core.chat.ChatOverlay;
import org.hearth.core.wire.proto.Ack;
import org.hearth.core.wire.proto.ChatMessage;
import org.hearth.core.wire.proto.ContactAccept;
import org.hearth.core.wire.proto.ContactRequest;
import org.hearth.core.wire.proto.Hello;
import org.hearth.core.wire.proto.PeerMessage;
import org.junit.jupiter.api.Test;

/** Seeded properties of the codec (see {@link org.hearth.core.testkit.Property} for replaying a failure). */
class WireCodecPropertiesTest {

    /** Either a well-formed message or the checked exception; any other throwable fails the property. */
    private static void decodeOrRefuse(byte[] data) {
        PeerMessage m;
        try {
            m = WireCodec.decode(data);
        } catch (MalformedMessageException refused) {
            return;
        }
        assertThat(m.getVersion()).isEqualTo(WireCodec.VERSION);
        assertThat(m.getBodyCase()).isNotEqualTo(PeerMessage.BodyCase.BODY_NOT_SET);
        try {
            assertThat(WireCodec.decode(WireCodec.encode(m))).isEqualTo(m);
        } catch (MalformedMessageException e) {
            throw new AssertionError("re-encoding a decoded message made it malformed", e);
        }
    }

    @Test
    void decode_randomBytes_messageOrMalformedOnly() {
        forAll(5000, r -> decodeOrRefuse(bytes(r, 400)));
    }

    @Test
    void decode_randomBytesAfterValidHeader_messageOrMalformedOnly() {
        // Random bodies behind "version 1, body field n, length": reaches body validation far more often.
        forAll(5000, r -> {
            byte[] body = bytes(r, 200);
            int field = 10 + r.nextInt(5);
            byte[] data = new byte[4 + body.length];
            data[0] = 0x08;
            data[1] = 0x01;
            data[2] = (byte) ((field << 3) | 2);
            data[3] = (byte) Math.min(body.length, 127);
            System.arraycopy(body, 0, data, 4, body.length);
            decodeOrRefuse(data);
        });
    }

    @Test
    void decode_mutatedValidMessage_messageOrMalformedOnly() {
        forAll(5000, r -> {
            PeerMessage[] samples = WireSamples.everyBodyType();
            byte[] data = samples[r.nextInt(samples.length)].toByteArray();
            for (int i = 1 + r.nextInt(6); i > 0; i--) {
                data[r.nextInt(data.length)] = (byte) r.nextInt(256);
            }
            switch (r.nextInt(3)) {
                case 1 -> data = Arrays.copyOf(data, r.nextInt(data.length));
                case 2 -> {
                    byte[] tail = bytes(r, 8);
                    byte[] longer = Arrays.copyOf(data, data.length + tail.length);
                    System.arraycopy(tail, 0, longer, data.length, tail.length);
                    data = longer;
                }
                default -> { }
            }
            decodeOrRefuse(data);
        });
    }

    @Test
    void decode_encodedValidMessage_equalsOriginal() {
        forAll(2000, r -> {
            PeerMessage m = validMessage(r);
            try {
                assertThat(WireCodec.decode(WireCodec.encode(m))).isEqualTo(m);
            } catch (MalformedMessageException e) {
                throw new AssertionError("valid message refused: " + m, e);
            }
        });
    }

    // --- generators of valid messages ---------------------------------------------------------------------

    /** A code point that is neither an ISO control character nor a surrogate (so it survives UTF-8). */
    private static int printableCodePoint(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> 0x20 + r.nextInt(0x7f - 0x20);
            case 1 -> 0xa0 + r.nextInt(0xd800 - 0xa0);
            case 2 -> 0xe000 + r.nextInt(0xfffe - 0xe000);
            default -> 0x10000 + r.nextInt(0x10ffff - 0x10000);
        };
    }

    /** Text without ISO control characters or lone surrogates, within {@code maxBytes} UTF-8 bytes. */
    private static String text(Random r, int maxBytes) {
        StringBuilder sb = new StringBuilder();
        int bytes = 0;
        for (int i = r.nextInt(maxBytes + 1); i > 0; i--) {
            String c = Character.toString(printableCodePoint(r));
            bytes += c.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > maxBytes) {
                break;
            }
            sb.append(c);
        }
        return sb.toString();
    }

    private static ByteString id(Random r) {
        byte[] id = new byte[MessageId.LENGTH];
        r.nextBytes(id);
        return ByteString.copyFrom(id);
    }

    private static ByteString overlay(Random r) {
        ChatOverlay o;
        if (r.nextBoolean()) {
            String t = text(r, 900);
            o = ChatOverlay.text(t.isEmpty() ? "x" : t);
        } else {
            // other overlay numbers, with data that JSON must escape (controls, quotes, backslashes)
            StringBuilder data = new StringBuilder();
            for (int i = r.nextInt(60); i > 0; i--) {
                data.append(r.nextInt(4) == 0 ? (char) r.nextInt(0x20) : "\"\\/a€".charAt(r.nextInt(5)));
            }
            o = new ChatOverlay(r.nextInt(), data.toString());
        }
        return ByteString.copyFrom(o.encode());
    }

    static PeerMessage validMessage(Random r) {
        PeerMessage.Builder b = PeerMessage.newBuilder().setVersion(WireCodec.VERSION);
        switch (r.nextInt(5)) {
            case 0 -> b.setContactRequest(ContactRequest.newBuilder().setId(id(r))
                    .setName(text(r, WireCodec.MAX_NAME_BYTES)).setEndpointHint(text(r, WireCodec.MAX_HINT_BYTES)));
            case 1 -> b.setContactAccept(ContactAccept.newBuilder().setId(id(r))
                    .setName(text(r, WireCodec.MAX_NAME_BYTES)).setEndpointHint(text(r, WireCodec.MAX_HINT_BYTES)));
            case 2 -> b.setChat(ChatMessage.newBuilder().setId(id(r))
                    .setSentAtMs(r.nextBoolean() ? r.nextLong() & Long.MAX_VALUE : r.nextInt(Integer.MAX_VALUE))
                    .setOverlay(overlay(r)));
            case 3 -> b.setAck(Ack.newBuilder().setId(id(r)));
            default -> b.setHello(Hello.newBuilder().setEndpointHint(text(r, WireCodec.MAX_HINT_BYTES)));
        }
        return b.build();
    }
}
