package org.hearth.core.wire;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.hearth.core.chat.ChatOverlay;
import org.hearth.core.wire.proto.Ack;
import org.hearth.core.wire.proto.ChatMessage;
import org.hearth.core.wire.proto.ContactAccept;
import org.hearth.core.wire.proto.ContactRequest;
import org.hearth.core.wire.proto.Hello;
import org.hearth.core.wire.proto.PeerMessage;

/** Valid peer messages of every body type, and helpers to build hostile variants of them. */
final class WireSamples {
    static final ByteString ID = id(MessageId.LENGTH);

    private WireSamples() {
    }

    static ByteString id(int length) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) 0x5a);
        return ByteString.copyFrom(b);
    }

    static ByteString overlay(String json) {
        return ByteString.copyFrom(json.getBytes(StandardCharsets.UTF_8));
    }

    static PeerMessage.Builder v1() {
        return PeerMessage.newBuilder().setVersion(WireCodec.VERSION);
    }

    static PeerMessage contactRequest() {
        return v1().setContactRequest(ContactRequest.newBuilder().setId(ID).setName("Alice")
                .setEndpointHint("203.0.113.7:7410")).build();
    }

    static PeerMessage contactAccept() {
        return v1().setContactAccept(ContactAccept.newBuilder().setId(ID).setName("Bob")
                .setEndpointHint("[2001:db8::1]:7410")).build();
    }

    static PeerMessage chat() {
        return v1().setChat(ChatMessage.newBuilder().setId(ID).setSentAtMs(1_700_000_000_000L)
                .setOverlay(ByteString.copyFrom(ChatOverlay.text("hello, Bob").encode()))).build();
    }

    static PeerMessage ack() {
        return v1().setAck(Ack.newBuilder().setId(ID)).build();
    }

    static PeerMessage hello() {
        return v1().setHello(Hello.newBuilder().setEndpointHint("example.org:7410")).build();
    }

    static PeerMessage[] everyBodyType() {
        return new PeerMessage[] {contactRequest(), contactAccept(), chat(), ack(), hello()};
    }

    static PeerMessage contactRequestNamed(String name) {
        return v1().setContactRequest(ContactRequest.newBuilder().setId(ID).setName(name)).build();
    }

    static PeerMessage chatWithOverlay(ByteString overlay) {
        return v1().setChat(ChatMessage.newBuilder().setId(ID).setSentAtMs(1).setOverlay(overlay)).build();
    }

    /** {@code depth} nested unknown groups (field 99) ahead of a valid message: protobuf parses groups recursively. */
    static byte[] nestedUnknownGroups(int depth, byte[] valid) {
        byte[] start = {(byte) 0x9b, 0x06}; // field 99, wire type 3 (start group)
        byte[] end = {(byte) 0x9c, 0x06};   // field 99, wire type 4 (end group)
        byte[] out = new byte[depth * 4 + valid.length];
        for (int i = 0; i < depth; i++) {
            System.arraycopy(start, 0, out, 2 * i, 2);
            System.arraycopy(end, 0, out, 2 * depth + 2 * i, 2);
        }
        System.arraycopy(valid, 0, out, 4 * depth, valid.length);
        return out;
    }
}
