package org.hearth.node.reliability;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.bytes.SecretBytes;
import org.hearth.core.chat.ChatOverlay;
import org.hearth.core.crypto.Aead;
import org.hearth.core.crypto.Kdf;
import org.hearth.core.crypto.Labels;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.group.EpochKey;
import org.hearth.core.group.GroupMessages;
import org.hearth.core.identity.Identity;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.MessageId;
import org.hearth.core.wire.WireCodec;
import org.hearth.core.wire.proto.EpochDelivery;
import org.hearth.core.wire.proto.FetchRequest;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.hearth.core.wire.proto.GroupMessageBody;
import org.hearth.core.wire.proto.HostError;
import org.hearth.core.wire.proto.PeerMessage;
import org.hearth.core.wire.proto.RelayRequest;
import org.hearth.core.wire.proto.SignedGroupMessage;
import org.hearth.core.wire.proto.SignedUpdate;
import org.hearth.node.testkit.RawPeer;

/**
 * What a modified client does over a {@link RawPeer}: host calls and durable deliveries written from the
 * protocol, and messages sealed with a chosen sender field. Answers come back as short outcome texts for the
 * R4 table.
 */
final class ModifiedClient {
    private final RandomSource random;
    private final Duration wait;
    private long requestIds;

    ModifiedClient(RandomSource random, Duration wait) {
        this.random = random;
        this.wait = wait;
    }

    /** Relays {@code e}; "stored" or the host's error. */
    String relay(RawPeer peer, GroupEnvelope e) throws IOException, MalformedMessageException {
        long id = ++requestIds;
        peer.send(message().setRelayRequest(RelayRequest.newBuilder().setRequestId(id).setEnvelope(e)).build());
        PeerMessage m = peer.receiveMatching(r -> r.hasRelayResponse() && r.getRelayResponse().getRequestId() == id, wait);
        return m.getRelayResponse().hasError() ? error(m.getRelayResponse().getError()) : "stored";
    }

    /** Fetches under {@code tag} from the start; "served N envelope(s)" or the host's error. */
    String fetch(RawPeer peer, Bytes tag) throws IOException, MalformedMessageException {
        long id = ++requestIds;
        peer.send(message().setFetchRequest(FetchRequest.newBuilder().setRequestId(id)
                .addTags(ByteString.copyFrom(tag.toByteArray())).setLimit(10)).build());
        PeerMessage m = peer.receiveMatching(r -> r.hasFetchResponse() && r.getFetchResponse().getRequestId() == id, wait);
        return m.getFetchResponse().hasError() ? error(m.getFetchResponse().getError())
                : "served " + m.getFetchResponse().getEnvelopesCount() + " envelope(s)";
    }

    /** Sends a durable EpochDelivery and waits for the acknowledgement: the receiver's verdict is committed then. */
    void deliver(RawPeer peer, SignedUpdate update) throws IOException, MalformedMessageException {
        ByteString id = WireCodec.bytes(MessageId.random(random).bytes());
        peer.send(message().setEpochDelivery(EpochDelivery.newBuilder().setId(id).setUpdate(update)).build());
        peer.receiveMatching(m -> m.hasAck() && m.getAck().getId().equals(id), wait);
    }

    /**
     * A message whose body names {@code claimed} as sender but is signed by {@code signer}, sealed under the epoch
     * key exactly as {@link GroupMessages#seal} seals (key derivation, associated data and padding of protocol §7).
     */
    GroupEnvelope sealWithClaimedSender(Identity signer, Identity claimed, EpochKey key, String text) {
        byte[] body = GroupMessageBody.newBuilder().setSender(bs(claimed.publicKey())).setGroupId(bs(key.group().bytes()))
                .setEpoch(key.epoch()).setUpdateHash(bs(key.updateHash())).setSentAtMs(Instant.now().toEpochMilli())
                .setOverlay(ByteString.copyFrom(ChatOverlay.text(text).encode())).build().toByteArray();
        byte[] signed = SignedGroupMessage.newBuilder().setBody(ByteString.copyFrom(body))
                .setSignature(bs(signer.sign(GroupMessages.SIGNATURE_LABEL, body))).build().toByteArray();
        byte[] padded = new byte[512];
        padded[0] = (byte) (signed.length >>> 24);
        padded[1] = (byte) (signed.length >>> 16);
        padded[2] = (byte) (signed.length >>> 8);
        padded[3] = (byte) signed.length;
        System.arraycopy(signed, 0, padded, 4, signed.length);
        byte[] epoch = java.nio.ByteBuffer.allocate(8).putLong(key.epoch()).array();
        byte[] tag = key.tag().toByteArray();
        SecretBytes mk = Kdf.derive(key.key(), EpochKey.MESSAGE_KEY_LABEL, 32, key.group().bytes().toByteArray(), epoch);
        byte[] nonce = random.bytes(24);
        try {
            byte[] ct = Aead.xchacha20Poly1305().seal(mk, nonce,
                    Labels.encode(GroupMessages.AD_LABEL, key.group().bytes().toByteArray(), epoch, tag), padded);
            return GroupEnvelope.newBuilder().setTag(ByteString.copyFrom(tag)).setNonce(ByteString.copyFrom(nonce))
                    .setCiphertext(ByteString.copyFrom(ct)).build();
        } finally {
            mk.destroy();
        }
    }

    private static String error(HostError e) {
        return e.getCode().name() + " \"" + e.getMessage() + "\"";
    }

    private static PeerMessage.Builder message() {
        return PeerMessage.newBuilder().setVersion(WireCodec.VERSION);
    }

    private static ByteString bs(Bytes b) {
        return ByteString.copyFrom(b.toByteArray());
    }
}
