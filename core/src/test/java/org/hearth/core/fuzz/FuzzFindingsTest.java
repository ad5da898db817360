package org.hearth.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.google.protobuf.ByteString;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hearth.core.bytes.SecretBytes;
import org.hearth.core.group.GroupId;
import org.hearth.core.group.GroupState;
import org.hearth.core.group.GroupSyncParts;
import org.hearth.core.group.ManagerEngine;
import org.hearth.core.group.ManagerRights;
import org.hearth.core.group.Permission;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.Endpoint;
import org.hearth.core.identity.Identity;
import org.hearth.core.wire.MessageId;
import org.hearth.core.wire.WireCodec;
import org.hearth.core.wire.proto.GroupSync;
import org.hearth.core.wire.proto.GroupSyncPart;
import org.hearth.core.wire.proto.PeerMessage;
import org.junit.jupiter.api.Test;

/**
 * The findings of the reliability suite's fuzzing (docs/reliability.md, R2), each as a plain test that names
 * the rule it breaks. These fail until main code is fixed; the fuzz regression inputs that found them
 * ({@code set_hosts_nested_brackets}, {@code host_nested_brackets}, {@code state_host_nested_brackets},
 * {@code pending_1001_adds}) fail with them.
 */
class FuzzFindingsTest {

    /**
     * Finding 1. {@code HostPort.parse} strips the brackets of {@code [a[b]:80} and keeps the host {@code a[b};
     * {@code HostPort.format} writes it back without brackets, and that text no longer parses. A manager (or a
     * user typing {@code group create --host}) can thus put into a signed state a host that members accept and
     * store, but whose stored row ({@code GroupState.toProto}) cannot be read back: {@code GroupRepository.read}
     * then fails with "corrupt group row" on every read of the group, including the sweeps over all groups.
     */
    @Test
    void endpointParse_hostWithBracketsInsideBrackets_refusedSoNoUnreadableHostEntersAState() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> Endpoint.parse(FuzzFixture.OUTSIDER.address() + "@[a[b]:80"))
                .isInstanceOf(org.hearth.core.identity.InvalidAddressException.class);
    }

    /**
     * Finding 2. {@code ManagerEngine.propose} queues any number of changes, but one update may carry at most
     * {@code GroupUpdate.MAX_CHANGES} (1000) in at most 48 KiB, and {@code tick} signs them all in one update:
     * past the limit {@code GroupUpdate.sign} throws IllegalArgumentException on every tick, so the group never
     * rotates again. Reachable by adding more than 1000 members within one minimum rotation interval (10 s by
     * default), e.g. a bot importing a member list.
     */
    @Test
    void tick_moreThanOneUpdateOfPendingChanges_stillIssuesAnUpdateOrProposeRefuses() {
        ManagerEngine.Step start = ManagerEngine.create(FuzzFixture.MANAGER, new GroupId(FuzzFixture.bytes32(9)), "big",
                Map.of(), List.of(), FuzzFixture.EAGER, FuzzFixture.T0, FuzzFixture.seeded(1));
        ManagerEngine.Session s = start.session();
        int proposed = 0;
        for (int i = 0; i < 1001; i++) {
            try {
                s = ManagerEngine.propose(s, ManagerEngine.add(member(i), Permission.READ));
                proposed++;
            } catch (IllegalArgumentException refusedWhenFull) {
                break; // a fix may refuse changes beyond one update's worth: then the tick below must work
            }
        }
        ManagerEngine.Session pending = s;
        assertThatCode(() -> ManagerEngine.tick(pending, FuzzFixture.MANAGER, FuzzFixture.T0.plusSeconds(1),
                FuzzFixture.seeded(2))).as("tick with " + proposed + " pending changes").doesNotThrowAnyException();
    }

    /**
     * Finding 3 (by reading the limits while writing the store-record target). A state may have
     * {@code GroupState.MAX_MEMBERS} members, but the {@code GroupSync} a joiner receives carried the whole state
     * in one peer message of at most 60 KiB ({@code WireCodec.MAX_MESSAGE_BYTES}); at about 38 bytes per member
     * only about 1600 fit, so {@code WireCodec.encode} threw for larger groups and nobody could join them (the
     * issue's P1 benchmark asks for N = 2000). Fixed by sending such a sync in parts (protocol.md §6.1).
     */
    @Test
    void groupSync_stateWithMaxMembers_goesAsPartsThatEachFitOnePeerMessage() {
        Map<Address, Permission> members = new LinkedHashMap<>();
        for (int i = 0; i < GroupState.MAX_MEMBERS; i++) {
            members.put(member(i), Permission.WRITE);
        }
        GroupState big = new GroupState(new GroupId(FuzzFixture.bytes32(9)), "big", FuzzFixture.MANAGER.address(),
                ManagerRights.ALL, members, List.of(), FuzzFixture.EAGER);
        GroupSync sync = GroupSync.newBuilder().setId(ByteString.copyFrom(new byte[16]))
                .setState(big.toProto()).setHead(FuzzFixture.head().update().signed()).build();
        int[] n = {0};
        List<GroupSyncPart> parts = GroupSyncParts.split(sync, () -> new MessageId(
                org.hearth.core.bytes.Bytes.copyOf(FuzzFixture.bytes32(n[0]++).toByteArray(), 0, 16)));
        for (GroupSyncPart p : parts) {
            PeerMessage m = PeerMessage.newBuilder().setVersion(WireCodec.VERSION).setGroupSyncPart(p).build();
            assertThatCode(() -> WireCodec.decode(WireCodec.encode(m))).as("part %d of %d of a %d-member sync",
                    p.getPart(), p.getParts(), members.size()).doesNotThrowAnyException();
        }
    }

    /** Member number {@code i}: distinct identities without key generation per test run mattering. */
    private static Address member(int i) {
        byte[] seed = new byte[32];
        java.util.Arrays.fill(seed, (byte) 0x5a);
        seed[0] = (byte) (i >>> 8);
        seed[1] = (byte) i;
        return Identity.fromSeed(SecretBytes.copyOf(seed)).address();
    }
}
