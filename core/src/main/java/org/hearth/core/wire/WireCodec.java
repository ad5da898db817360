package org.hearth.core.wire;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import java.nio.charset.StandardCharsets;
import org.hearth.core.chat.ChatOverlay;
import org.hearth.core.wire.proto.ContactAccept;
import org.hearth.core.wire.proto.ContactRequest;
import org.hearth.core.wire.proto.GroupSync;
import org.hearth.core.wire.proto.GroupSyncPart;
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
    public static final int MAX_KEYS_PER_SYNC = 1000;
    /** A GroupSync up to this size goes as one peer message (docs/protocol.md §6.1). */
    public static final int MAX_ONE_PART_SYNC_BYTES = 56 * 1024;
    /** A larger GroupSync (the "whole") is sent as GroupSyncParts of this many bytes each (the last shorter). */
    public static final int SYNC_CHUNK_BYTES = 56 * 1024;
    /** The largest whole GroupSync: a 5000-member state and a 5000-member base state with room to spare. */
    public static final int MAX_SYNC_BYTES = 1024 * 1024;
    /** Parts of one sync: enough chunks for {@link #MAX_SYNC_BYTES}. */
    public static final int MAX_SYNC_PARTS = (MAX_SYNC_BYTES + SYNC_CHUNK_BYTES - 1) / SYNC_CHUNK_BYTES;
    public static final int MAX_FETCH_TAGS = 64;
    public static final int MAX_FETCH_LIMIT = 500;
    public static final int MAX_WAIT_MS = 25_000;

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
            case GROUP_INVITE -> {
                MessageId.decode(m.getGroupInvite().getId());
                checkSize("invite signature", m.getGroupInvite().getSignature(), 64, 64);
            }
            case GROUP_JOIN -> {
                MessageId.decode(m.getGroupJoin().getId());
                checkSize("group id", m.getGroupJoin().getGroupId(), 32, 32);
            }
            case EPOCH_DELIVERY -> {
                MessageId.decode(m.getEpochDelivery().getId());
                if (!m.getEpochDelivery().getKey().isEmpty()) {
                    checkSize("epoch key", m.getEpochDelivery().getKey(), 32, 32);
                }
            }
            case GROUP_SYNC -> checkGroupSync(m.getGroupSync());
            case GROUP_SYNC_PART -> checkGroupSyncPart(m.getGroupSyncPart());
            case KEY_CATCHUP_REQUEST -> {
                MessageId.decode(m.getKeyCatchupRequest().getId());
                checkSize("group id", m.getKeyCatchupRequest().getGroupId(), 32, 32);
            }
            case GROUP_CREATE_REQUEST -> {
                MessageId.decode(m.getGroupCreateRequest().getId());
                checkSize("group id", m.getGroupCreateRequest().getGroupId(), 32, 32);
                checkText("group name", m.getGroupCreateRequest().getName(), 64);
                checkText("host", m.getGroupCreateRequest().getHost(), MAX_HINT_BYTES);
            }
            case GROUP_HEADS -> {
                if (m.getGroupHeads().getHeadsCount() > 64) {
                    throw new MalformedMessageException("too many group heads");
                }
            }
            case RELAY_REQUEST -> checkEnvelope(m.getRelayRequest().getEnvelope());
            case RELAY_RESPONSE -> checkText("error", m.getRelayResponse().getError().getMessage(), 200);
            case FETCH_REQUEST -> {
                var f = m.getFetchRequest();
                // uint32 fields arrive as signed ints: compare unsigned, or 2^31 and more pass as negatives
                if (f.getTagsCount() > MAX_FETCH_TAGS || Integer.compareUnsigned(f.getLimit(), MAX_FETCH_LIMIT) > 0
                        || Integer.compareUnsigned(f.getWaitMs(), MAX_WAIT_MS) > 0) {
                    throw new MalformedMessageException("fetch asks for too many tags or items, or waits too long");
                }
                for (var t : f.getTagsList()) {
                    checkSize("routing tag", t, 16, 16);
                }
                if (!f.getGroupId().isEmpty()) {
                    checkSize("group id", f.getGroupId(), 32, 32);
                }
            }
            case FETCH_RESPONSE -> {
                if (m.getFetchResponse().getEnvelopesCount() > MAX_FETCH_LIMIT) {
                    throw new MalformedMessageException("fetch response too long");
                }
                for (var e : m.getFetchResponse().getEnvelopesList()) {
                    checkEnvelope(e.getEnvelope());
                }
                checkText("error", m.getFetchResponse().getError().getMessage(), 200);
            }
            case BODY_NOT_SET -> throw new MalformedMessageException("peer message has no body");
        }
    }

    /** The field checks of a GroupSync, also for one reassembled from parts. */
    public static void checkGroupSync(GroupSync s) throws MalformedMessageException {
        MessageId.decode(s.getId());
        if (s.getKeysCount() > MAX_KEYS_PER_SYNC) {
            throw new MalformedMessageException("too many keys in one sync");
        }
        for (var k : s.getKeysList()) {
            checkSize("epoch key", k.getKey(), 32, 32);
            checkSize("update hash", k.getUpdateHash(), 32, 32);
        }
    }

    /** Every part but the last carries exactly one chunk's worth, so parts * chunk bounds the whole. */
    public static void checkGroupSyncPart(GroupSyncPart p) throws MalformedMessageException {
        MessageId.decode(p.getId());
        checkSize("group id", p.getGroupId(), 32, 32);
        checkSize("sync digest", p.getSyncDigest(), 32, 32);
        // uint32 fields arrive as signed ints: compare unsigned
        if (Integer.compareUnsigned(p.getParts(), 2) < 0 || Integer.compareUnsigned(p.getParts(), MAX_SYNC_PARTS) > 0
                || Integer.compareUnsigned(p.getPart(), p.getParts()) >= 0) {
            throw new MalformedMessageException("sync part " + Integer.toUnsignedString(p.getPart()) + " of "
                    + Integer.toUnsignedString(p.getParts()) + " is out of range");
        }
        boolean last = p.getPart() == p.getParts() - 1;
        checkSize("sync chunk", p.getChunk(), last ? 1 : SYNC_CHUNK_BYTES, SYNC_CHUNK_BYTES);
    }

    private static void checkEnvelope(org.hearth.core.wire.proto.GroupEnvelope e) throws MalformedMessageException {
        checkSize("routing tag", e.getTag(), 16, 16);
        checkSize("nonce", e.getNonce(), 24, 24);
        checkSize("ciphertext", e.getCiphertext(), 16, MAX_MESSAGE_BYTES);
    }

    private static void checkSize(String what, com.google.protobuf.ByteString b, int min, int max)
            throws MalformedMessageException {
        if (b.size() < min || b.size() > max) {
            throw new MalformedMessageException(what + " has " + b.size() + " bytes");
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
