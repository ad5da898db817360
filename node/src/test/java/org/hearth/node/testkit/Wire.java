package org.hearth.node.testkit;

import com.google.protobuf.ByteString;
import org.hearth.core.chat.ChatOverlay;
import org.hearth.core.wire.MessageId;
import org.hearth.core.wire.WireCodec;
import org.hearth.core.wire.proto.Ack;
import org.hearth.core.wire.proto.ChatMessage;
import org.hearth.core.wire.proto.ContactRequest;
import org.hearth.core.wire.proto.Hello;
import org.hearth.core.wire.proto.PeerMessage;

/** Peer messages as a hand-written peer would build them. */
public final class Wire {
    private Wire() {
    }

    public static PeerMessage chat(MessageId id, String text) {
        return message().setChat(ChatMessage.newBuilder().setId(WireCodec.bytes(id.bytes()))
                .setSentAtMs(System.currentTimeMillis())
                .setOverlay(ByteString.copyFrom(ChatOverlay.text(text).encode()))).build();
    }

    public static PeerMessage ack(MessageId id) {
        return message().setAck(Ack.newBuilder().setId(WireCodec.bytes(id.bytes()))).build();
    }

    public static PeerMessage contactRequest(MessageId id, String name) {
        return message().setContactRequest(ContactRequest.newBuilder().setId(WireCodec.bytes(id.bytes()))
                .setName(name)).build();
    }

    public static PeerMessage contactRequest(MessageId id, String name, String endpointHint) {
        return message().setContactRequest(ContactRequest.newBuilder().setId(WireCodec.bytes(id.bytes()))
                .setName(name).setEndpointHint(endpointHint)).build();
    }

    /** The id of a chat message, as a {@link MessageId}. */
    public static MessageId chatId(PeerMessage m) {
        return new MessageId(org.hearth.core.bytes.Bytes.wrap(m.getChat().getId().toByteArray()));
    }

    public static PeerMessage hello(String hint) {
        return message().setHello(Hello.newBuilder().setEndpointHint(hint)).build();
    }

    /** Whether {@code m} acknowledges {@code id}. */
    public static boolean isAckOf(PeerMessage m, MessageId id) {
        return m.hasAck() && m.getAck().getId().equals(WireCodec.bytes(id.bytes()));
    }

    public static PeerMessage.Builder message() {
        return PeerMessage.newBuilder().setVersion(WireCodec.VERSION);
    }
}
