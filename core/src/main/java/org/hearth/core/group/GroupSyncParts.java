package org.hearth.core.group;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.crypto.Hash;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.MessageId;
import org.hearth.core.wire.WireCodec;
import org.hearth.core.wire.proto.GroupSync;
import org.hearth.core.wire.proto.GroupSyncPart;

/**
 * A {@link GroupSync} too large for one peer message travels as {@link GroupSyncPart}s (docs/protocol.md §6.1):
 * its serialized bytes (the "whole") cut into fixed-size chunks, each part its own durable item. The member
 * puts the chunks back together, checks them against the digest every part names, and only then reads the
 * whole as a GroupSync. Nothing here is trusted: the reassembled sync is checked exactly as a one-message sync
 * is (the head's signature, the state's digest against the head).
 */
public final class GroupSyncParts {
    /** Names the whole a part belongs to: SHA-256 over {@code Labels(DIGEST_LABEL, whole)}. */
    public static final String DIGEST_LABEL = "hearth/group-sync/v1";

    private GroupSyncParts() {
    }

    /** Whether a sync goes as one GroupSync message, the format every manager has always sent. */
    public static boolean fitsOneMessage(GroupSync whole) {
        return whole.getSerializedSize() <= WireCodec.MAX_ONE_PART_SYNC_BYTES;
    }

    /** Cuts a sync too large for one message into parts, each with a fresh item id from {@code ids}. */
    public static List<GroupSyncPart> split(GroupSync whole, Supplier<MessageId> ids) {
        byte[] bytes = whole.toByteArray();
        if (bytes.length > WireCodec.MAX_SYNC_BYTES || fitsOneMessage(whole)) {
            throw new IllegalArgumentException("a sync of " + bytes.length + " bytes is not sent in parts");
        }
        ByteString group = whole.getState().getGroupId();
        ByteString digest = ByteString.copyFrom(digest(bytes).toByteArray());
        int parts = (bytes.length + WireCodec.SYNC_CHUNK_BYTES - 1) / WireCodec.SYNC_CHUNK_BYTES;
        List<GroupSyncPart> out = new ArrayList<>(parts);
        for (int i = 0; i < parts; i++) {
            int from = i * WireCodec.SYNC_CHUNK_BYTES;
            int length = Math.min(WireCodec.SYNC_CHUNK_BYTES, bytes.length - from);
            out.add(GroupSyncPart.newBuilder().setId(ByteString.copyFrom(ids.get().bytes().toByteArray()))
                    .setGroupId(group).setSyncDigest(digest).setPart(i).setParts(parts)
                    .setChunk(ByteString.copyFrom(bytes, from, length)).build());
        }
        return out;
    }

    static Bytes digest(byte[] whole) {
        return Hash.labelled(DIGEST_LABEL, whole);
    }

    /** Reads a reassembled whole: bounded like {@link WireCodec#decode}, with the same GroupSync checks. */
    public static GroupSync decodeWhole(byte[] whole) throws MalformedMessageException {
        if (whole.length > WireCodec.MAX_SYNC_BYTES) {
            throw new MalformedMessageException("sync too large: " + whole.length + " bytes");
        }
        GroupSync s;
        try {
            CodedInputStream in = CodedInputStream.newInstance(whole);
            in.setRecursionLimit(8);
            in.setSizeLimit(WireCodec.MAX_SYNC_BYTES);
            s = GroupSync.parseFrom(in);
            in.checkLastTagWas(0);
        } catch (IOException e) {
            throw new MalformedMessageException("reassembled sync does not parse: " + e.getMessage(), e);
        }
        WireCodec.checkGroupSync(s);
        return s;
    }

    /** What became of an offered part. */
    public sealed interface Offer {
    }

    /** Kept (or a resend of a part already held): wait for the rest. */
    public record Kept() implements Offer {
    }

    /** The last part arrived: {@code whole} is ready; acknowledge {@code ids} (every part) once it is handled. */
    public record Complete(GroupSync whole, List<MessageId> ids) implements Offer {
    }

    /**
     * Refused: the caller acknowledges the offered part as refused, and {@code release}, the other parts of the
     * same sync when it was refused as a whole (they would only come back). A sync is only ever released whole:
     * a part acknowledged while others of its sync stay queued at the manager would leave those unable to
     * complete, resent on every channel.
     */
    public record Refused(String reason, List<MessageId> release) implements Offer {
    }

    /**
     * The member's buffer of incomplete syncs: at most one per group, at most {@code maxPendingBytes} in all,
     * each dropped after {@code maxAge}. Parts are only acknowledged when their sync completes (or is
     * refused as a whole), so what is dropped (superseded by another sync of the group, for lack of room, or
     * for age) is sent again by the manager on the next channel. Not thread-safe: the caller serialises offers.
     */
    public static final class Assembler {
        private final long maxPendingBytes;
        private final Duration maxAge;
        /** In the order assemblies started: the first is the oldest. */
        private final Map<GroupId, Pending> pending = new LinkedHashMap<>();
        private long pendingBytes;

        public Assembler(long maxPendingBytes, Duration maxAge) {
            if (maxPendingBytes < WireCodec.MAX_SYNC_BYTES) {
                throw new IllegalArgumentException("the buffer must hold at least one whole sync");
            }
            this.maxPendingBytes = maxPendingBytes;
            this.maxAge = maxAge;
        }

        private static final class Pending {
            final Bytes digest;
            final int parts;
            final Instant started;
            final MessageId[] ids;
            final ByteString[] chunks;
            int held;
            long bytes;

            Pending(Bytes digest, int parts, Instant started) {
                this.digest = digest;
                this.parts = parts;
                this.started = started;
                this.ids = new MessageId[parts];
                this.chunks = new ByteString[parts];
            }

            List<MessageId> heldIds() {
                List<MessageId> out = new ArrayList<>(held);
                for (MessageId id : ids) {
                    if (id != null) {
                        out.add(id);
                    }
                }
                return out;
            }
        }

        /**
         * Offers a part from the manager of its group (the caller checked the sender). Throws only for a part
         * that breaks the field rules; the caller then acknowledges it as refused.
         */
        public Offer offer(GroupSyncPart p, Instant now) throws MalformedMessageException {
            WireCodec.checkGroupSyncPart(p);
            GroupId group = GroupId.decode(p.getGroupId());
            MessageId id = WireCodec.id(p.getId());
            Bytes digest = Bytes.wrap(p.getSyncDigest().toByteArray());
            expire(now);
            Pending a = pending.get(group);
            if (a != null && !a.digest.equals(digest)) {
                // another sync of this group (a newer one, or a resend of an older one): one assembly per group;
                // the dropped one's parts stay unacknowledged and come again on the next channel if still queued
                drop(group);
                a = null;
            }
            if (a != null && a.parts != p.getParts()) {
                return new Refused("sync parts disagree on their number", List.of());
            }
            if (a != null && a.ids[p.getPart()] != null) {
                return a.ids[p.getPart()].equals(id) ? new Kept()
                        : new Refused("sync part " + p.getPart() + " sent twice", List.of());
            }
            if ((a == null ? 0 : a.bytes) + p.getChunk().size() > WireCodec.MAX_SYNC_BYTES) {
                return new Refused("a sync larger than " + WireCodec.MAX_SYNC_BYTES + " bytes", List.of());
            }
            makeRoom(group, p.getChunk().size());
            if (a == null) {
                a = new Pending(digest, p.getParts(), now);
                pending.put(group, a);
            }
            a.ids[p.getPart()] = id;
            a.chunks[p.getPart()] = p.getChunk();
            a.held++;
            a.bytes += p.getChunk().size();
            pendingBytes += p.getChunk().size();
            if (a.held < a.parts) {
                return new Kept();
            }
            List<MessageId> ids = a.heldIds();
            byte[] whole = ByteString.copyFrom(List.of(a.chunks)).toByteArray();
            drop(group);
            List<MessageId> others = ids.stream().filter(x -> !x.equals(id)).toList();
            if (!digest(whole).equals(digest)) {
                return new Refused("reassembled sync does not match its digest", others);
            }
            GroupSync s;
            try {
                s = decodeWhole(whole);
            } catch (MalformedMessageException e) {
                return new Refused(e.getMessage(), others);
            }
            if (!s.getState().getGroupId().equals(p.getGroupId())) {
                return new Refused("reassembled sync is of another group", others);
            }
            return new Complete(s, ids);
        }

        /** Bytes held in incomplete syncs (for tests and bounds). */
        public long pendingBytes() {
            return pendingBytes;
        }

        public int pendingSyncs() {
            return pending.size();
        }

        /** Assemblies older than the limit are dropped unacknowledged: their parts come again on a new channel. */
        private void expire(Instant now) {
            Iterator<Map.Entry<GroupId, Pending>> it = pending.entrySet().iterator();
            while (it.hasNext()) {
                Pending a = it.next().getValue();
                if (a.started.plus(maxAge).isBefore(now)) {
                    pendingBytes -= a.bytes;
                    it.remove();
                }
            }
        }

        /** Drops the oldest other assemblies, unacknowledged, until {@code bytes} more fit. */
        private void makeRoom(GroupId group, int bytes) {
            Iterator<Map.Entry<GroupId, Pending>> it = pending.entrySet().iterator();
            while (pendingBytes + bytes > maxPendingBytes && it.hasNext()) {
                Map.Entry<GroupId, Pending> e = it.next();
                if (!e.getKey().equals(group)) {
                    pendingBytes -= e.getValue().bytes;
                    it.remove();
                }
            }
        }

        private void drop(GroupId group) {
            Pending a = pending.remove(group);
            if (a != null) {
                pendingBytes -= a.bytes;
            }
        }
    }
}
