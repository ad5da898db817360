package org.hearth.core.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hearth.core.group.GroupFixture.T0;
import static org.hearth.core.group.GroupFixture.accepted;
import static org.hearth.core.group.GroupFixture.bytes32;
import static org.hearth.core.group.GroupFixture.identity;
import static org.hearth.core.group.GroupFixture.refusal;
import static org.hearth.core.group.GroupFixture.signUpdate;

import java.util.List;
import java.util.Optional;
import org.hearth.core.identity.Endpoint;
import org.hearth.core.identity.Identity;
import org.hearth.core.wire.proto.Change;
import org.junit.jupiter.api.Test;

/**
 * Attacks on the group log, one per test, each refused with its own reason (design §3, §8): forged, replayed,
 * out of chain, gapped, lying about the state, or beyond the manager's rights. The member under attack holds
 * the head of an honest log of three epochs.
 */
class GroupChainAdversarialTest {
    private final Identity manager = identity(1);
    private final Identity alice = identity(2);
    private final Identity bob = identity(3);
    private final Identity mallory = identity(66);
    private final GroupFixture.Group g = new GroupFixture.Group(manager,
            GroupFixture.members(alice.address(), Permission.WRITE, bob.address(), Permission.WRITE), 31);

    {
        g.next(ManagerEngine.add(identity(4).address(), Permission.READ));
        g.next();
    }

    /** The update the honest manager would issue next, signed by {@code signer} instead. */
    private GroupUpdate nextSignedBy(Identity signer, Change change) {
        try {
            GroupState next = GroupChain.applyChanges(g.head().state(), List.of(change));
            return signUpdate(signer, g.id(), g.head().epoch() + 1, g.head().update().hash(), next.digest(),
                    List.of(change), T0.plusSeconds(60));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private GroupChain.Verdict applyToHead(GroupUpdate u) {
        return GroupChain.apply(g.head(), u, g::acceptedAt);
    }

    @Test
    void apply_updateSignedByOutsider_refusedForged() {
        GroupUpdate forged = nextSignedBy(mallory, ManagerEngine.add(mallory.address(), Permission.WRITE));
        assertThat(refusal(applyToHead(forged))).isEqualTo(GroupChain.Refusal.FORGED);
    }

    @Test
    void apply_updateFromNonManagerMember_refusedForged() {
        GroupUpdate byAlice = nextSignedBy(alice, ManagerEngine.remove(bob.address()));
        assertThat(refusal(applyToHead(byAlice))).isEqualTo(GroupChain.Refusal.FORGED);
    }

    @Test
    void apply_managersSignatureMovedOntoAnotherBody_refusedForged() throws Exception {
        GroupUpdate honest = nextSignedBy(manager, Change.newBuilder().setRotate(true).build());
        GroupUpdate other = nextSignedBy(alice, ManagerEngine.remove(bob.address()));
        GroupUpdate spliced = GroupUpdate.parse(other.signed().toBuilder()
                .setSignature(honest.signed().getSignature()).build());
        assertThat(refusal(applyToHead(spliced))).isEqualTo(GroupChain.Refusal.FORGED);
    }

    @Test
    void apply_forgedUpdateForAnOldEpoch_refusedForgedNotEquivocation() {
        GroupUpdate forged = signUpdate(mallory, g.id(), 1, g.update(0).hash(), bytes32(3),
                List.of(Change.newBuilder().setRotate(true).build()), T0);
        assertThat(refusal(applyToHead(forged))).isEqualTo(GroupChain.Refusal.FORGED);
    }

    @Test
    void apply_replayedOldUpdate_refusedReplayed() {
        for (long e = 0; e <= g.head().epoch(); e++) {
            assertThat(refusal(applyToHead(g.update(e)))).as("epoch " + e).isEqualTo(GroupChain.Refusal.REPLAYED);
        }
    }

    @Test
    void apply_replayedOldUpdateAfterTheMemberForgotIt_refusedReplayed() {
        assertThat(refusal(GroupChain.apply(g.head(), g.update(1), e -> Optional.empty())))
                .isEqualTo(GroupChain.Refusal.REPLAYED);
    }

    @Test
    void apply_wrongPreviousHash_refusedOutOfChain() {
        Change rotate = Change.newBuilder().setRotate(true).build();
        GroupUpdate offChain = signUpdate(manager, g.id(), g.head().epoch() + 1, g.update(1).hash(),
                g.head().state().digest(), List.of(rotate), T0.plusSeconds(60));
        GroupUpdate randomPrev = signUpdate(manager, g.id(), g.head().epoch() + 1, bytes32(0xEE),
                g.head().state().digest(), List.of(rotate), T0.plusSeconds(60));
        assertThat(refusal(applyToHead(offChain))).isEqualTo(GroupChain.Refusal.OUT_OF_CHAIN);
        assertThat(refusal(applyToHead(randomPrev))).isEqualTo(GroupChain.Refusal.OUT_OF_CHAIN);
    }

    @Test
    void apply_updateSkippingAnEpoch_refusedGap() {
        GroupChain.Head atGenesis = g.headAt(0);
        assertThat(refusal(GroupChain.apply(atGenesis, g.update(2), g::acceptedAt))).isEqualTo(GroupChain.Refusal.GAP);
    }

    @Test
    void apply_stateDigestLie_refusedBadState() {
        Change add = ManagerEngine.add(identity(5).address(), Permission.READ);
        GroupUpdate lie = signUpdate(manager, g.id(), g.head().epoch() + 1, g.head().update().hash(),
                g.head().state().digest(), List.of(add), T0.plusSeconds(60));
        GroupUpdate random = signUpdate(manager, g.id(), g.head().epoch() + 1, g.head().update().hash(),
                bytes32(0x42), List.of(add), T0.plusSeconds(60));
        assertThat(refusal(applyToHead(lie))).isEqualTo(GroupChain.Refusal.BAD_STATE);
        assertThat(refusal(applyToHead(random))).isEqualTo(GroupChain.Refusal.BAD_STATE);
    }

    @Test
    void genesis_stateDigestLie_refusedBadState() {
        GroupState s = g.state(0);
        GroupUpdate lie = signUpdate(manager, s.id(), 0, GroupUpdate.NO_PREVIOUS, g.state(1).digest(),
                List.of(Change.newBuilder().setCreate(s.toProto()).build()), T0);
        assertThat(refusal(GroupChain.genesis(lie, manager.address()))).isEqualTo(GroupChain.Refusal.BAD_STATE);
    }

    @Test
    void apply_changeBeyondTheManagersRights_refusedBadChange() {
        // A group whose manager may rotate keys and manage members, but not move hosts.
        ManagerRights noHosts = new ManagerRights(true, true, false);
        GroupState s = new GroupState(GroupFixture.groupId(8), "no hosts", manager.address(), noHosts,
                GroupFixture.members(alice.address(), Permission.WRITE), List.of(), GroupFixture.EAGER);
        GroupChain.Head h = accepted(GroupChain.genesis(GroupFixture.genesisFor(manager, s, T0), manager.address()));
        GroupState claimed = s.withHosts(List.of(new Endpoint(mallory.address(), "evil.example", 443)));
        GroupUpdate moveHosts = signUpdate(manager, s.id(), 1, h.update().hash(), claimed.digest(),
                List.of(ManagerEngine.setHosts(claimed.hosts())), T0.plusSeconds(1));

        GroupChain.Verdict v = GroupChain.apply(h, moveHosts, e -> Optional.empty());

        assertThat(refusal(v)).isEqualTo(GroupChain.Refusal.BAD_CHANGE);
        assertThat(((GroupChain.Refused) v).detail()).contains("hosts");
    }

    @Test
    void apply_memberOrKeyChangesWithoutThoseRights_refusedBadChange() {
        record Case(ManagerRights rights, Change change) {
        }
        List<Case> cases = List.of(
                new Case(new ManagerRights(true, false, true), ManagerEngine.add(bob.address(), Permission.READ)),
                new Case(new ManagerRights(true, false, true), ManagerEngine.remove(alice.address())),
                new Case(new ManagerRights(true, false, true), ManagerEngine.setPermission(alice.address(), Permission.READ)),
                new Case(new ManagerRights(false, true, true), Change.newBuilder().setRotate(true).build()));
        for (Case c : cases) {
            GroupState s = new GroupState(GroupFixture.groupId(8), "limited", manager.address(), c.rights(),
                    GroupFixture.members(alice.address(), Permission.WRITE), List.of(), GroupFixture.EAGER);
            GroupChain.Head h = accepted(GroupChain.genesis(GroupFixture.genesisFor(manager, s, T0), manager.address()));
            GroupUpdate u = signUpdate(manager, s.id(), 1, h.update().hash(), s.digest(), List.of(c.change()),
                    T0.plusSeconds(1));
            assertThat(refusal(GroupChain.apply(h, u, e -> Optional.empty()))).as(c.toString())
                    .isEqualTo(GroupChain.Refusal.BAD_CHANGE);
        }
    }

    @Test
    void apply_inconsistentMemberChanges_refusedBadChange() {
        List<Change> bad = List.of(
                ManagerEngine.add(alice.address(), Permission.READ),
                ManagerEngine.remove(mallory.address()),
                ManagerEngine.setPermission(mallory.address(), Permission.WRITE),
                g.update(0).changes().get(0)); // a second create
        for (Change c : bad) {
            GroupUpdate u = signUpdate(manager, g.id(), g.head().epoch() + 1, g.head().update().hash(),
                    g.head().state().digest(), List.of(c), T0.plusSeconds(60));
            assertThat(refusal(applyToHead(u))).as(c.toString()).isEqualTo(GroupChain.Refusal.BAD_CHANGE);
        }
    }

    @Test
    void propose_changeBeyondTheManagersRights_throwsIllegalArgument() {
        GroupState s = new GroupState(GroupFixture.groupId(8), "no hosts", manager.address(),
                new ManagerRights(true, true, false), GroupFixture.members(), List.of(), GroupFixture.EAGER);
        GroupChain.Head h = new GroupChain.Head(s, GroupFixture.genesisFor(manager, s, T0));
        ManagerEngine.Session session = new ManagerEngine.Session(h, List.of(), s, T0, 0, false);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ManagerEngine.propose(session,
                ManagerEngine.setHosts(List.of()))).isInstanceOf(IllegalArgumentException.class);
    }
}
