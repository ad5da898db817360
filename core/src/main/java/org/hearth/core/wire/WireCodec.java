package org.hearth.core.wire;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import java.nio.charset.StandardCharsets;
import org.hearth.core.chat.ChatOverlay;
import org.hearth.core.wire.proto.ContactAccept;
import org.hearth.core.wire.proto.ContactRequest;
import org.hearth.core.wire.proto.PeerMessage;

/**
 * Encoder/decoder for {@link PeerMessage}. Decoding is bounded (size, recursion) and validates every field,
 * so a decoded message is well formed; anything else is a {@link MalformedMessageException}.
 */
public final class WireCodec {
    public static final int VERSION = 1;
    /** Largest encoded peer message; a transport frame carries one. */
    public static final int MAX_MESSAGE_BYTES = 60 * 1024;
    public static final int MAX_NAME_BYTES = 64;
    public static final int MAX_HINT_BYTES = 300;

    private WireCodec() {
    }

    public static byte[] encode(PeerMessage message) {
        byte[] out = message.toByteArray();
        if (out.length > MAX_MESSAGE_BYTES) {
            throw new IllegalArgumentException("peer message of " + out.length + " bytes exceeds the limit");
        }
        return out;
    }

    public static PeerMessage decode(byte[] data) throws MalformedMessageException {
        if (data.length > MAX_MESSAGE_BYTES) {
            throw new MalformedMessageException("message too large: " + data.length + " bytes");
        }
        PeerMessage m;
        try {
            CodedInputStream in = CodedInputStream.newInstance(data);
            in.setRecursionLimit(8);
            in.setSizeLimit(MAX_MESSAGE_BYTES);
            m = PeerMessage.parseFrom(in);
            in.checkLastTagWas(0);
        } catch (java.io.IOException e) {
            throw new MalformedMessageException("not a peer message: " + e.getMessage(), e);
        }
        validate(m);
        return m;
    }

    private static void validate(PeerMessage m) throws MalformedMessageException {
        if (m.getVersion() != VERSION) {
            throw new MalformedMessageException("unsupported wire version " + m.getVersion());
        }
        switch (m.getBodyCase()) {
            case CONTACT_REQUEST -> {
                ContactRequest r = m.getContactRequest();
                MessageId.decode(r.getId());
                checkText("name", r.getName(), MAX_NAME_BYTES);
                checkText("endpoint hint", r.getEndpointHint(), MAX_HINT_BYTES);
            }
            case CONTACT_ACCEPT -> {
                ContactAccept a = m.getContactAccept();
                MessageId.decode(a.getId());
                checkText("name", a.getName(), MAX_NAME_BYTES);
                checkText("endpoint hint", a.getEndpointHint(), MAX_HINT_BYTES);
            }
            case CHAT -> {
                MessageId.decode(m.getChat().getId());
                if (m.getChat().getSentAtMs() < 0) {
                    throw new MalformedMessageException("negative sent-at time");
                }
                ChatOverlay.parse(m.getChat().getOverlay().toByteArray());
            }
            case ACK -> MessageId.decode(m.getAck().getId());
            case HELLO -> checkText("endpoint hint", m.getHello().getEndpointHint(), MAX_HINT_BYTES);
            case BODY_NOT_SET -> throw new MalformedMessageException("peer message has no body");
        }
    }

    private static void checkText(String what, String value, int maxBytes) throws MalformedMessageException {
        if (value.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            throw new MalformedMessageException(what + " longer than " + maxBytes + " bytes");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new MalformedMessageException(what + " contains control characters");
            }
        }
    }

    public static ByteString bytes(org.hearth.core.bytes.Bytes b) {
        return ByteString.copyFrom(b.toByteArray());
    }

    public static MessageId id(ByteString b) throws MalformedMessageException {
        return MessageId.decode(b);
    }
}
