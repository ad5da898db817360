package org.hearth.core.group;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.bytes.SecretBytes;
import org.hearth.core.chat.ChatOverlay;
import org.hearth.core.crypto.Aead;
import org.hearth.core.crypto.CryptoException;
import org.hearth.core.crypto.Ed25519;
import org.hearth.core.crypto.Hash;
import org.hearth.core.crypto.Labels;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.Identity;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.hearth.core.wire.proto.GroupMessageBody;
import org.hearth.core.wire.proto.SignedGroupMessage;
import org.hearth.core.wire.proto.SignedUpdate;

/**
 * Sealing and opening group messages (docs/protocol.md §7): the body is signed by the sender, padded to a
 * bucket, sealed with XChaCha20-Poly1305 under a key derived from the epoch key; the envelope carries the
 * epoch's routing tag so a host can file it without learning anything else.
 */
public final class GroupMessages {
    public static final String SIGNATURE_LABEL = "hearth/group-message/v1";
    public static final String AD_LABEL = "hearth/group-envelope/v1";
    public static final String ID_LABEL = "hearth/group-message-id/v1";
    public static final int MAX_PARENTS = 8;
    /** Powers of two: a message is padded to at most twice its size, and its size leaks only its order of magnitude. */
    private static final int[] BUCKETS = {512, 1024, 2048, 4096, 8192, 16384, 32768};
    public static final int MAX_ENVELOPE_BYTES = 48 * 1024;
    private static final int MAX_CACHED_SENDERS = 1024;

    private GroupMessages() {
    }

    /** A message as read by a member: verified, bound to its group, epoch and the sender's update. */
    public record Opened(Bytes id, Address sender, GroupId group, long epoch, Bytes updateHash, Instant sentAt,
            List<Bytes> parents, ChatOverlay overlay, Optional<SignedUpdate> announcedUpdate) {
    }

    /**
     * Seals a message. The announced update is advisory (split detection): when message and update together
     * would not fit an envelope, the message goes without it.
     */
    public static GroupEnvelope seal(Identity sender, EpochKey key, Instant sentAt, List<Bytes> parents,
            ChatOverlay overlay, Optional<SignedUpdate> announce, RandomSource random) {
        if (announce.isPresent()) {
            try {
                return sealOnce(sender, key, sentAt, parents, overlay, announce, random);
            } catch (IllegalArgumentException tooLarge) {
                return sealOnce(sender, key, sentAt, parents, overlay, Optional.empty(), random);
            }
        }
        return sealOnce(sender, key, sentAt, parents, overlay, Optional.empty(), random);
    }

    private static GroupEnvelope sealOnce(Identity sender, EpochKey key, Instant sentAt, List<Bytes> parents,
            ChatOverlay overlay, Optional<SignedUpdate> announce, RandomSource random) {
        if (parents.size() > MAX_PARENTS) {
            throw new IllegalArgumentException("at most " + MAX_PARENTS + " parents");
        }
        GroupMessageBody.Builder b = GroupMessageBody.newBuilder().setSender(bs(sender.publicKey()))
                .setGroupId(bs(key.group().bytes())).setEpoch(key.epoch()).setUpdateHash(bs(key.updateHash()))
                .setSentAtMs(sentAt.toEpochMilli()).setOverlay(ByteString.copyFrom(overlay.encode()));
        parents.forEach(p -> b.addParents(bs(p)));
        announce.ifPresent(b::setAnnouncedUpdate);
        byte[] body = b.build().toByteArray();
        byte[] signed = SignedGroupMessage.newBuilder().setBody(ByteString.copyFrom(body))
                .setSignature(bs(sender.sign(SIGNATURE_LABEL, body))).build().toByteArray();
        Bytes tag = key.tag();
        byte[] nonce = random.bytes(24);
        SecretBytes mk = key.messageKey();
        try {
            byte[] ct = Aead.xchacha20Poly1305().seal(mk, nonce, ad(key, tag), pad(signed));
            GroupEnvelope env = GroupEnvelope.newBuilder().setTag(bs(tag)).setNonce(ByteString.copyFrom(nonce))
                    .setCiphertext(ByteString.copyFrom(ct)).build();
            if (env.getSerializedSize() > MAX_ENVELOPE_BYTES) {
                throw new IllegalArgumentException("message too large");
            }
            return env;
        } finally {
            mk.destroy();
        }
    }

    /** The id of a message: the hash of its envelope, the same for every member and host. */
    public static Bytes id(GroupEnvelope e) {
        return Hash.labelled(ID_LABEL, e.toByteArray());
    }

    /**
     * Opens an envelope with the key of its epoch. Throws CryptoException when the tag or key does not match
     * or the ciphertext or signature is forged, MalformedMessageException when the content is not a message
     * of this group and epoch.
     */
    public static Opened open(GroupEnvelope e, EpochKey key) throws CryptoException, MalformedMessageException {
        try (Opener opener = opener(key)) {
            return opener.open(e);
        }
    }

    /** An {@link Opener} for many envelopes of one epoch (a catch-up). */
    public static Opener opener(EpochKey key) {
        return new Opener(key);
    }

    /**
     * Opens envelopes of one epoch exactly as {@link #open} does, with the routing tag, message key and associated
     * data derived once rather than per envelope, and each sender's public key decoded once. Safe to use from
     * several threads at once; {@link #close} wipes the message key.
     */
    public static final class Opener implements AutoCloseable {
        private final EpochKey key;
        private final Bytes tag;
        private final SecretBytes mk;
        private final byte[] ad;
        private final Map<ByteString, Sender> senders = new ConcurrentHashMap<>();

        private Opener(EpochKey key) {
            this.key = key;
            this.tag = key.tag();
            this.mk = key.messageKey();
            this.ad = ad(key, tag);
        }

        public EpochKey key() {
            return key;
        }

        /** The routing tag envelopes of this epoch carry. */
        public Bytes tag() {
            return tag;
        }

        /** As {@link GroupMessages#open(GroupEnvelope, EpochKey)}. */
        public Opened open(GroupEnvelope e) throws CryptoException, MalformedMessageException {
            if (e.getNonce().size() != 24 || e.getTag().size() != EpochKey.TAG_LENGTH
                    || e.getSerializedSize() > MAX_ENVELOPE_BYTES) {
                throw new MalformedMessageException("envelope fields have the wrong size");
            }
            if (!Bytes.wrap(e.getTag().toByteArray()).equals(tag)) {
                throw new CryptoException("envelope is not of this epoch");
            }
            byte[] plain = Aead.xchacha20Poly1305().open(mk, e.getNonce().toByteArray(), ad.clone(),
                    e.getCiphertext().toByteArray());
            SignedGroupMessage signed;
            GroupMessageBody body;
            try {
                signed = SignedGroupMessage.parseFrom(unpad(plain));
                body = GroupMessageBody.parseFrom(signed.getBody());
            } catch (InvalidProtocolBufferException ex) {
                throw new MalformedMessageException("group message does not parse", ex);
            }
            Sender sender = sender(body.getSender());
            if (signed.getSignature().size() != 64) {
                throw new MalformedMessageException("signature must be 64 bytes");
            }
            sender.verifier().verify(SIGNATURE_LABEL, signed.getBody().toByteArray(),
                    Bytes.wrap(signed.getSignature().toByteArray()));
            if (!GroupId.decode(body.getGroupId()).equals(key.group()) || body.getEpoch() != key.epoch()) {
                throw new MalformedMessageException("message names another group or epoch than its key");
            }
            if (body.getUpdateHash().size() != 32 || body.getParentsCount() > MAX_PARENTS) {
                throw new MalformedMessageException("bad update hash or too many parents");
            }
            List<Bytes> parents = new ArrayList<>();
            for (ByteString p : body.getParentsList()) {
                if (p.size() != 32) {
                    throw new MalformedMessageException("parent ids are 32 bytes");
                }
                parents.add(Bytes.wrap(p.toByteArray()));
            }
            return new Opened(id(e), sender.address(), key.group(), body.getEpoch(), Bytes.wrap(body.getUpdateHash().toByteArray()),
                    Instant.ofEpochMilli(body.getSentAtMs()), parents, ChatOverlay.parse(body.getOverlay().toByteArray()),
                    body.hasAnnouncedUpdate() ? Optional.of(body.getAnnouncedUpdate()) : Optional.empty());
        }

        /**
         * The sender's address and key, decoded once per opener: a catch-up verifies many messages of few senders
         * (and the address computes its text once, when the message is stored). Bounded: a group has at most 1000
         * members; beyond that (forged senders) keys are decoded each time.
         */
        private Sender sender(ByteString key) throws MalformedMessageException {
            Sender s = senders.get(key);
            if (s == null) {
                s = new Sender(GroupState.member(key), Ed25519.verifier(key.toByteArray()));
                if (senders.size() < MAX_CACHED_SENDERS) {
                    senders.putIfAbsent(key, s);
                }
            }
            return s;
        }

        @Override
        public void close() {
            mk.destroy();
            senders.clear();
        }
    }

    private record Sender(Address address, Ed25519.Verifier verifier) {
    }

    private static byte[] ad(EpochKey key, Bytes tag) {
        return Labels.encode(AD_LABEL, key.group().bytes().toByteArray(), EpochKey.u64(key.epoch()), tag.toByteArray());
    }

    static byte[] pad(byte[] m) {
        int size = BUCKETS[BUCKETS.length - 1];
        for (int b : BUCKETS) {
            if (b >= m.length + 4) {
                size = b;
                break;
            }
        }
        if (m.length + 4 > size) {
            size = m.length + 4; // larger than the largest bucket: sealed unpadded beyond it (rare, capped above)
        }
        byte[] out = new byte[size];
        out[0] = (byte) (m.length >>> 24);
        out[1] = (byte) (m.length >>> 16);
        out[2] = (byte) (m.length >>> 8);
        out[3] = (byte) m.length;
        System.arraycopy(m, 0, out, 4, m.length);
        return out;
    }

    static byte[] unpad(byte[] p) throws MalformedMessageException {
        if (p.length < 4) {
            throw new MalformedMessageException("padded message too short");
        }
        int len = ((p[0] & 0xFF) << 24) | ((p[1] & 0xFF) << 16) | ((p[2] & 0xFF) << 8) | (p[3] & 0xFF);
        if (len < 0 || len > p.length - 4) {
            throw new MalformedMessageException("bad padded length");
        }
        byte[] m = new byte[len];
        System.arraycopy(p, 4, m, 0, len);
        return m;
    }

    private static ByteString bs(Bytes b) {
        return ByteString.copyFrom(b.toByteArray());
    }
}
