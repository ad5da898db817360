package org.hearth.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.hearth.core.group.GroupChain;
import org.hearth.core.group.GroupState;
import org.hearth.core.group.GroupSyncParts;
import org.hearth.core.group.GroupUpdate;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.WireCodec;
import org.hearth.core.wire.proto.EpochKey;
import org.hearth.core.wire.proto.GroupSync;
import org.hearth.core.wire.proto.GroupSyncPart;

/**
 * Jazzer targets for the reassembly of large syncs (protocol.md §6.1): a sequence of {@code GroupSyncPart}s
 * offered to one {@link GroupSyncParts.Assembler} ({@code u16 length ‖ part} repeated), and the decoder of a
 * reassembled whole. Only {@link MalformedMessageException} may refuse; the buffer never holds more than its
 * bound; a completed sync is then read as any sync (state, head, adoption against the fixture's manager).
 *
 * <p>Regression inputs: {@code src/test/resources/org/hearth/core/fuzz/GroupSyncPartsFuzzTestInputs/<method>/}
 * (written by {@link RegressionInputs}); fuzzing: see docs/reliability.md.
 */
class GroupSyncPartsFuzzTest {

    @FuzzTest
    void offer_fuzzedParts_keptCompleteOrRefused(byte[] data) {
        GroupSyncParts.Assembler a = new GroupSyncParts.Assembler(WireCodec.MAX_SYNC_BYTES, Duration.ofMinutes(2));
        for (byte[] raw : frames(data)) {
            GroupSyncPart p;
            try {
                p = GroupSyncPart.parseFrom(raw);
            } catch (InvalidProtocolBufferException refused) {
                continue;
            }
            GroupSyncParts.Offer o;
            try {
                o = a.offer(p, FuzzFixture.T0);
            } catch (MalformedMessageException refused) {
                continue;
            }
            assertThat(a.pendingBytes()).isBetween(0L, (long) WireCodec.MAX_SYNC_BYTES);
            if (o instanceof GroupSyncParts.Complete c) {
                assertThat(c.ids()).hasSize(p.getParts());
                assertThat(c.whole().getSerializedSize()).isLessThanOrEqualTo(WireCodec.MAX_SYNC_BYTES);
                assertThat(c.whole().getState().getGroupId()).isEqualTo(p.getGroupId());
                readAsMemberWould(c.whole());
            }
        }
    }

    @FuzzTest
    void decodeWhole_fuzzedBytes_syncOrMalformed(byte[] data) {
        GroupSync s;
        try {
            s = GroupSyncParts.decodeWhole(data);
        } catch (MalformedMessageException refused) {
            return;
        }
        try {
            assertThat(GroupSyncParts.decodeWhole(s.toByteArray())).isEqualTo(s);
        } catch (MalformedMessageException e) {
            throw new AssertionError("a decoded sync does not decode again from its own encoding", e);
        }
        readAsMemberWould(s);
    }

    private static void readAsMemberWould(GroupSync s) {
        try {
            GroupChain.adopt(GroupState.fromProto(s.getState()), GroupUpdate.parse(s.getHead()), FuzzFixture.group(),
                    FuzzFixture.MANAGER.address());
        } catch (MalformedMessageException refused) {
            // refused like a one-message sync with the same content
        }
    }

    /** {@code u16 length ‖ bytes}, repeated; a short tail is dropped. */
    static List<byte[]> frames(byte[] data) {
        List<byte[]> out = new ArrayList<>();
        int at = 0;
        while (at + 2 <= data.length) {
            int len = Math.min(((data[at] & 0xFF) << 8) | (data[at + 1] & 0xFF), data.length - at - 2);
            out.add(Arrays.copyOfRange(data, at + 2, at + 2 + len));
            at += 2 + len;
        }
        return out;
    }

    /**
     * A genuine sync of the fixture's head too large for one message: the fixture state is small, so it carries
     * many keys (fake ones: the reassembly does not care what they are) to need two parts.
     */
    static GroupSync genuineLargeSync() {
        GroupSync.Builder s = GroupSync.newBuilder().setId(FuzzFixture.bs(FuzzFixture.bytes32(7)).substring(0, 16))
                .setState(FuzzFixture.head().state().toProto()).setHead(FuzzFixture.head().update().signed());
        for (int i = 0; i < 850; i++) {
            s.addKeys(EpochKey.newBuilder().setEpoch(i).setUpdateHash(FuzzFixture.bs(FuzzFixture.bytes32(i % 256)))
                    .setKey(ByteString.copyFrom(new byte[32])));
        }
        return s.build();
    }
}
