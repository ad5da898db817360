package org.hearth.core.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hearth.core.group.GroupFixture.T0;
import static org.hearth.core.group.GroupFixture.bytes32;
import static org.hearth.core.group.GroupFixture.identity;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.Identity;
import org.hearth.core.testkit.Property;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.MessageId;
import org.hearth.core.wire.WireCodec;
import org.hearth.core.wire.proto.Change;
import org.hearth.core.wire.proto.GroupSync;
import org.hearth.core.wire.proto.GroupSyncPart;
import org.hearth.core.wire.proto.PeerMessage;
import org.junit.jupiter.api.Test;

/**
 * A sync too large for one message, cut into parts and put back together (protocol.md §6.1): the reassembled
 * sync is byte for byte the one sent, and its state is then checked against the signed head as always; every
 * malformed, duplicated, missing or oversized part is refused or kept waiting, as the protocol says.
 */
class GroupSyncPartsTest {
    private static final Identity MANAGER = identity(1);
    private static final GroupId GROUP = GroupFixture.groupId(7);
    private static final Duration AGE = Duration.ofMinutes(2);

    @Test
    void split_stateAtTheMemberLimit_partsFitOneMessageEachAndReassembleToAStateTheHeadAuthenticates()
            throws Exception {
        GroupState state = state(new Random(1), GroupState.MAX_MEMBERS);
        GroupSync whole = sync(state, head(state));
        assertThat(GroupSyncParts.fitsOneMessage(whole)).isFalse();

        List<GroupSyncPart> parts = GroupSyncParts.split(whole, ids(new Random(2)));

        assertThat(parts).hasSizeBetween(2, WireCodec.MAX_SYNC_PARTS);
        for (GroupSyncPart p : parts) {
            PeerMessage m = PeerMessage.newBuilder().setVersion(WireCodec.VERSION).setGroupSyncPart(p).build();
            assertThat(WireCodec.decode(WireCodec.encode(m)).getGroupSyncPart()).isEqualTo(p);
        }
        GroupSync back = assemble(parts);
        assertThat(back).isEqualTo(whole);
        GroupChain.Verdict v = GroupChain.adopt(GroupState.fromProto(back.getState()),
                GroupUpdate.parse(back.getHead()), GROUP, MANAGER.address());
        assertThat(GroupFixture.accepted(v).state().members()).hasSize(GroupState.MAX_MEMBERS);
    }

    @Test
    void split_anyMemberListUpToTheLimit_partsInAnyOrderWithResendsGiveBackTheSameSync() {
        Property.forAll(12, r -> {
            GroupState state = state(r, r.nextInt(GroupState.MAX_MEMBERS + 1));
            GroupSync whole = sync(state, head(state));
            if (GroupSyncParts.fitsOneMessage(whole)) {
                assertThat(whole.getSerializedSize()).isLessThanOrEqualTo(WireCodec.MAX_ONE_PART_SYNC_BYTES);
                return;
            }
            List<GroupSyncPart> parts = GroupSyncParts.split(whole, ids(r));
            List<GroupSyncPart> arrival = new ArrayList<>(parts);
            for (int i = r.nextInt(3); i > 0; i--) {
                arrival.add(parts.get(r.nextInt(parts.size() - 1))); // resends of a part held, same item id
            }
            Collections.shuffle(arrival, r);
            GroupSyncParts.Assembler a = assembler();
            List<GroupSyncParts.Offer> offers = new ArrayList<>();
            for (GroupSyncPart p : arrival) {
                offers.add(offer(a, p));
            }
            List<GroupSyncParts.Offer> complete = offers.stream()
                    .filter(o -> o instanceof GroupSyncParts.Complete).toList();
            assertThat(complete).hasSize(1);
            assertThat(offers).allMatch(o -> !(o instanceof GroupSyncParts.Refused));
            GroupSyncParts.Complete c = (GroupSyncParts.Complete) complete.get(0);
            assertThat(c.whole()).isEqualTo(whole);
            assertThat(c.ids()).containsExactlyInAnyOrderElementsOf(parts.stream().map(GroupSyncPartsTest::id).toList());
            // a resend arriving after completion starts the sync again (it completes if every part comes again)
            int done = offers.indexOf(c);
            long after = arrival.subList(done + 1, arrival.size()).stream().distinct()
                    .mapToLong(p -> p.getChunk().size()).sum();
            assertThat(a.pendingBytes()).isEqualTo(after);
            try {
                assertThat(GroupState.fromProto(c.whole().getState()).digest()).isEqualTo(state.digest());
            } catch (MalformedMessageException e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void adopt_reassembledStateNotTheOneTheHeadSigned_refusedAsBadState() throws Exception {
        GroupState signed = state(new Random(3), 3000);
        GroupState other = state(new Random(4), 3000);
        GroupSync whole = sync(other, head(signed));

        GroupSync back = assemble(GroupSyncParts.split(whole, ids(new Random(5))));

        GroupChain.Verdict v = GroupChain.adopt(GroupState.fromProto(back.getState()), GroupUpdate.parse(back.getHead()),
                GROUP, MANAGER.address());
        assertThat(GroupFixture.refusal(v)).isEqualTo(GroupChain.Refusal.BAD_STATE);
    }

    @Test
    void offer_chunkAlteredInTransit_wholeRefusedAndEveryOtherPartReleased() throws Exception {
        List<GroupSyncPart> parts = bigParts(6);
        GroupSyncPart last = parts.getLast();
        byte[] chunk = last.getChunk().toByteArray();
        chunk[0] ^= 1;
        parts.set(parts.size() - 1, last.toBuilder().setChunk(ByteString.copyFrom(chunk)).build());
        GroupSyncParts.Assembler a = assembler();

        GroupSyncParts.Offer o = null;
        for (GroupSyncPart p : parts) {
            o = a.offer(p, T0);
        }

        assertThat(o).isInstanceOf(GroupSyncParts.Refused.class);
        assertThat(((GroupSyncParts.Refused) o).reason()).contains("digest");
        assertThat(((GroupSyncParts.Refused) o).release()).containsExactlyInAnyOrderElementsOf(
                parts.subList(0, parts.size() - 1).stream().map(GroupSyncPartsTest::id).toList());
        assertThat(a.pendingSyncs()).isZero();
    }

    @Test
    void offer_partMissing_keptWaitingNothingCompleteNothingReleased() throws Exception {
        List<GroupSyncPart> parts = bigParts(8);
        GroupSyncParts.Assembler a = assembler();

        for (GroupSyncPart p : parts.subList(1, parts.size())) {
            assertThat(a.offer(p, T0)).isInstanceOf(GroupSyncParts.Kept.class);
        }

        assertThat(a.pendingSyncs()).isEqualTo(1);
        assertThat(a.offer(parts.get(0), T0)).isInstanceOf(GroupSyncParts.Complete.class);
    }

    @Test
    void offer_samePartIndexUnderAnotherId_refusedAndTheAssemblyKept() throws Exception {
        List<GroupSyncPart> parts = bigParts(9);
        GroupSyncParts.Assembler a = assembler();
        a.offer(parts.get(0), T0);

        GroupSyncParts.Offer o = a.offer(parts.get(0).toBuilder().setId(ByteString.copyFrom(new byte[16])).build(), T0);

        assertThat(o).isInstanceOf(GroupSyncParts.Refused.class);
        assertThat(((GroupSyncParts.Refused) o).release()).isEmpty();
        GroupSyncParts.Offer last = null;
        for (GroupSyncPart p : parts.subList(1, parts.size())) {
            last = a.offer(p, T0);
        }
        assertThat(last).isInstanceOf(GroupSyncParts.Complete.class);
    }

    @Test
    void offer_partOutOfRangeOrBadlySized_malformed() {
        GroupSyncPart ok = bigParts(10).get(0);
        List<GroupSyncPart> bad = List.of(
                ok.toBuilder().setPart(ok.getParts()).build(),
                ok.toBuilder().setPart(-1).build(),
                ok.toBuilder().setParts(1).setPart(0).build(),
                ok.toBuilder().setParts(WireCodec.MAX_SYNC_PARTS + 1).build(),
                ok.toBuilder().setParts(-1).build(),
                ok.toBuilder().setChunk(ok.getChunk().substring(1)).build(), // a part before the last is one full chunk
                ok.toBuilder().setPart(ok.getParts() - 1).setChunk(ByteString.EMPTY).build(),
                ok.toBuilder().setPart(ok.getParts() - 1).setChunk(ByteString.copyFrom(
                        new byte[WireCodec.SYNC_CHUNK_BYTES + 1])).build(),
                ok.toBuilder().setSyncDigest(ByteString.copyFrom(new byte[31])).build(),
                ok.toBuilder().setGroupId(ByteString.copyFrom(new byte[33])).build(),
                ok.toBuilder().clearId().build());
        for (GroupSyncPart p : bad) {
            assertThatThrownBy(() -> assembler().offer(p, T0)).isInstanceOf(MalformedMessageException.class);
            PeerMessage m = PeerMessage.newBuilder().setVersion(WireCodec.VERSION).setGroupSyncPart(p).build();
            assertThatThrownBy(() -> WireCodec.decode(m.toByteArray())).isInstanceOf(MalformedMessageException.class);
        }
    }

    @Test
    void offer_partsBeyondTheLargestSync_refusedBeforeTheyAreHeld() throws Exception {
        GroupSyncParts.Assembler a = assembler();
        GroupSyncParts.Offer o = null;
        for (int i = 0; i < WireCodec.MAX_SYNC_PARTS; i++) {
            o = a.offer(fullChunk(GROUP, i), T0);
        }

        assertThat(o).isInstanceOf(GroupSyncParts.Refused.class);
        assertThat(((GroupSyncParts.Refused) o).reason()).contains("larger than");
        assertThat(a.pendingBytes()).isLessThanOrEqualTo(WireCodec.MAX_SYNC_BYTES);
    }

    @Test
    void offer_anotherSyncOfTheGroup_replacesThePendingOneWithoutReleasingIt() throws Exception {
        List<GroupSyncPart> older = bigParts(11);
        List<GroupSyncPart> newer = bigParts(12);
        GroupSyncParts.Assembler a = assembler();
        a.offer(older.get(0), T0);

        GroupSyncParts.Offer o = null;
        for (GroupSyncPart p : newer) {
            o = a.offer(p, T0);
        }

        assertThat(o).isInstanceOf(GroupSyncParts.Complete.class);
        assertThat(((GroupSyncParts.Complete) o).ids()).doesNotContain(id(older.get(0)));
        assertThat(a.pendingSyncs()).isZero();
    }

    @Test
    void offer_afterTheMaximumAge_incompleteSyncDroppedUnacknowledged() throws Exception {
        List<GroupSyncPart> parts = bigParts(13);
        GroupSyncParts.Assembler a = assembler();
        a.offer(parts.get(0), T0);

        GroupSyncParts.Offer o = a.offer(parts.get(1), T0.plus(AGE).plusSeconds(1));

        assertThat(o).isInstanceOf(GroupSyncParts.Kept.class);
        assertThat(a.pendingBytes()).isEqualTo(parts.get(1).getChunk().size()); // part 0 went with the old assembly
    }

    @Test
    void offer_bufferFull_oldestOtherGroupDropped() throws Exception {
        GroupSyncParts.Assembler a = new GroupSyncParts.Assembler(WireCodec.MAX_SYNC_BYTES, AGE);
        int held = WireCodec.MAX_SYNC_BYTES / WireCodec.SYNC_CHUNK_BYTES; // 18 full chunks of an incomplete sync
        for (int i = 0; i < held; i++) {
            assertThat(a.offer(fullChunk(GroupFixture.groupId(97), i), T0)).isInstanceOf(GroupSyncParts.Kept.class);
        }
        GroupSyncPart otherGroup = fullChunk(GroupFixture.groupId(96), 0);
        assertThat(a.pendingBytes() + otherGroup.getChunk().size()).isGreaterThan(WireCodec.MAX_SYNC_BYTES);

        assertThat(a.offer(otherGroup, T0)).isInstanceOf(GroupSyncParts.Kept.class);

        assertThat(a.pendingSyncs()).isEqualTo(1);
        assertThat(a.pendingBytes()).isEqualTo(otherGroup.getChunk().size());
    }

    @Test
    void offer_wholeOfAnotherGroupThanItsParts_refused() throws Exception {
        List<GroupSyncPart> parts = bigParts(16);
        List<GroupSyncPart> relabelled = parts.stream().map(p -> p.toBuilder()
                .setGroupId(ByteString.copyFrom(bytes32(98).toByteArray())).build()).toList();
        GroupSyncParts.Assembler a = assembler();

        GroupSyncParts.Offer o = null;
        for (GroupSyncPart p : relabelled) {
            o = a.offer(p, T0);
        }

        assertThat(o).isInstanceOf(GroupSyncParts.Refused.class);
        assertThat(((GroupSyncParts.Refused) o).reason()).contains("another group");
    }

    @Test
    void decodeWhole_notASyncOrTooLarge_malformed() {
        assertThatThrownBy(() -> GroupSyncParts.decodeWhole(new byte[] {(byte) 0xff}))
                .isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> GroupSyncParts.decodeWhole(new byte[WireCodec.MAX_SYNC_BYTES + 1]))
                .isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> GroupSyncParts.decodeWhole(GroupSync.newBuilder().build().toByteArray()))
                .as("a sync without an id").isInstanceOf(MalformedMessageException.class);
    }

    @Test
    void split_syncThatFitsOneMessage_refusedSoOnePartSyncsKeepTheirFormat() {
        GroupState small = state(new Random(17), 10);
        assertThatThrownBy(() -> GroupSyncParts.split(sync(small, head(small)), ids(new Random(1))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- material ----

    private static GroupSyncParts.Assembler assembler() {
        return new GroupSyncParts.Assembler(8L * 1024 * 1024, AGE);
    }

    private static GroupSyncParts.Offer offer(GroupSyncParts.Assembler a, GroupSyncPart p) {
        try {
            return a.offer(p, T0);
        } catch (MalformedMessageException e) {
            throw new AssertionError(e);
        }
    }

    private static GroupSync assemble(List<GroupSyncPart> parts) throws MalformedMessageException {
        GroupSyncParts.Assembler a = assembler();
        GroupSyncParts.Offer o = null;
        for (GroupSyncPart p : parts) {
            o = a.offer(p, T0);
        }
        assertThat(o).isInstanceOf(GroupSyncParts.Complete.class);
        return ((GroupSyncParts.Complete) o).whole();
    }

    private static List<GroupSyncPart> bigParts(long seed) {
        GroupState s = state(new Random(seed), 4000);
        return new ArrayList<>(GroupSyncParts.split(sync(s, head(s)), ids(new Random(seed))));
    }

    /** Part {@code i} of a sync with the most parts, every chunk full (zeros): hostile, or a test's filler. */
    private static GroupSyncPart fullChunk(GroupId group, int i) {
        return GroupSyncPart.newBuilder().setId(ByteString.copyFrom(new byte[15]).concat(ByteString.copyFrom(
                new byte[] {(byte) i}))).setGroupId(ByteString.copyFrom(group.bytes().toByteArray()))
                .setSyncDigest(ByteString.copyFrom(new byte[32])).setPart(i).setParts(WireCodec.MAX_SYNC_PARTS)
                .setChunk(ByteString.copyFrom(new byte[WireCodec.SYNC_CHUNK_BYTES])).build();
    }

    private static MessageId id(GroupSyncPart p) {
        return new MessageId(Bytes.wrap(p.getId().toByteArray()));
    }

    private static Supplier<MessageId> ids(Random r) {
        return () -> {
            byte[] b = new byte[MessageId.LENGTH];
            r.nextBytes(b);
            return new MessageId(Bytes.wrap(b));
        };
    }

    /** A state of {@code n} members with random keys (the wire accepts any 32 bytes as a member key). */
    static GroupState state(Random r, int n) {
        Map<Address, Permission> members = new LinkedHashMap<>();
        while (members.size() < n) {
            byte[] key = new byte[32];
            r.nextBytes(key);
            members.put(Address.of(Bytes.wrap(key)), r.nextBoolean() ? Permission.WRITE : Permission.READ);
        }
        return new GroupState(GROUP, "big", MANAGER.address(), ManagerRights.ALL, members, List.of(),
                GroupFixture.EAGER);
    }

    private static GroupUpdate head(GroupState state) {
        return GroupFixture.signUpdate(MANAGER, GROUP, 7, bytes32(3), state.digest(),
                List.of(Change.newBuilder().setRotate(true).build()), T0);
    }

    private static GroupSync sync(GroupState state, GroupUpdate head) {
        return GroupSync.newBuilder().setId(ByteString.copyFrom(new byte[16])).setState(state.toProto())
                .setHead(head.signed()).addKeys(org.hearth.core.wire.proto.EpochKey.newBuilder().setEpoch(7)
                        .setUpdateHash(GroupFixture.bs(head.hash())).setKey(ByteString.copyFrom(new byte[32])))
                .build();
    }
}
