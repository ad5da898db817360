package org.hearth.core.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hearth.core.group.GroupFixture.T0;
import static org.hearth.core.group.GroupFixture.accepted;
import static org.hearth.core.group.GroupFixture.identity;
import static org.hearth.core.group.GroupFixture.refusal;

import java.util.List;
import java.util.Optional;
import org.hearth.core.identity.Endpoint;
import org.hearth.core.identity.Identity;
import org.junit.jupiter.api.Test;

/** The honest paths of the member's chain rules; the attacks are in {@link GroupChainAdversarialTest}. */
class GroupChainTest {
    private final Identity manager = identity(1);
    private final Identity alice = identity(2);
    private final Identity bob = identity(3);
    private final Identity carol = identity(4);

    private GroupFixture.Group group() {
        return new GroupFixture.Group(manager, GroupFixture.members(alice.address(), Permission.WRITE,
                bob.address(), Permission.READ), 21);
    }

    @Test
    void genesis_createdByManagerEngine_acceptedWithTheManagersState() {
        GroupFixture.Group g = group();
        GroupChain.Head h = accepted(GroupChain.genesis(g.update(0), manager.address()));
        assertThat(h.epoch()).isZero();
        assertThat(h.state()).isEqualTo(g.state(0));
        assertThat(h.state().members()).containsOnlyKeys(alice.address(), bob.address());
        assertThat(h.state().rights()).isEqualTo(ManagerRights.ALL);
    }

    @Test
    void apply_everyUpdateOfAnHonestLog_acceptedAndDigestsAgree() {
        GroupFixture.Group g = group();
        g.next(ManagerEngine.add(carol.address(), Permission.READ));
        g.next(ManagerEngine.setPermission(bob.address(), Permission.WRITE), ManagerEngine.remove(alice.address()));
        g.next();
        g.next(ManagerEngine.setHosts(List.of(new Endpoint(identity(9).address(), "relay.example", 443))));
        g.next(ManagerEngine.setPolicy(GroupPolicy.DEFAULT));

        GroupChain.Head h = accepted(GroupChain.genesis(g.update(0), manager.address()));
        for (long e = 1; e < g.log.size(); e++) {
            h = accepted(GroupChain.apply(h, g.update(e), g::acceptedAt));
            assertThat(h.epoch()).isEqualTo(e);
            assertThat(h.state().digest()).isEqualTo(g.state(e).digest()).isEqualTo(g.update(e).stateDigest());
        }
        assertThat(h.state().members()).containsOnlyKeys(bob.address(), carol.address());
        assertThat(h.state().permissionOf(bob.address())).contains(Permission.WRITE);
        assertThat(h.state().hosts()).hasSize(1);
        assertThat(h.state().policy()).isEqualTo(GroupPolicy.DEFAULT);
    }

    @Test
    void adopt_snapshotAndHeadOfTheManager_acceptedAndThenExtendsTheChain() {
        GroupFixture.Group g = group();
        g.next(ManagerEngine.add(carol.address(), Permission.READ));
        GroupChain.Head h = accepted(GroupChain.adopt(g.state(1), g.update(1), g.id(), manager.address()));
        g.next();
        assertThat(accepted(GroupChain.apply(h, g.update(2), e -> Optional.empty())).epoch()).isEqualTo(2);
    }

    @Test
    void adopt_snapshotNotMatchingTheHead_refusedBadState() {
        GroupFixture.Group g = group();
        g.next(ManagerEngine.add(carol.address(), Permission.READ));
        assertThat(refusal(GroupChain.adopt(g.state(0), g.update(1), g.id(), manager.address())))
                .isEqualTo(GroupChain.Refusal.BAD_STATE);
    }

    @Test
    void adopt_headSignedBySomeoneElse_refusedForged() {
        GroupFixture.Group g = group();
        assertThat(refusal(GroupChain.adopt(g.state(0), g.update(0), g.id(), alice.address())))
                .isIn(GroupChain.Refusal.FORGED);
    }

    @Test
    void adopt_snapshotOfAnotherGroup_refusedWrongGroup() {
        GroupFixture.Group g = group();
        GroupFixture.Group other = new GroupFixture.Group(manager, GroupFixture.members(), 22);
        assertThat(refusal(GroupChain.adopt(other.state(0), g.update(0), g.id(), manager.address())))
                .isEqualTo(GroupChain.Refusal.WRONG_GROUP);
    }

    @Test
    void apply_updateOfAnotherGroup_refusedWrongGroup() {
        GroupFixture.Group g = group();
        GroupFixture.Group other = new GroupFixture.Group(manager, GroupFixture.members(), 22);
        other.next();
        assertThat(refusal(GroupChain.apply(g.head(), other.update(1), e -> Optional.empty())))
                .isEqualTo(GroupChain.Refusal.WRONG_GROUP);
    }

    @Test
    void genesis_notEpochZeroOrNotASingleCreate_refusedOutOfChain() {
        GroupFixture.Group g = group();
        g.next();
        assertThat(refusal(GroupChain.genesis(g.update(1), manager.address()))).isEqualTo(GroupChain.Refusal.OUT_OF_CHAIN);
        GroupUpdate twoChanges = GroupFixture.signUpdate(manager, g.id(), 0, GroupUpdate.NO_PREVIOUS,
                g.state(0).digest(), List.of(g.update(0).changes().get(0), g.update(0).changes().get(0)), T0);
        assertThat(refusal(GroupChain.genesis(twoChanges, manager.address()))).isEqualTo(GroupChain.Refusal.OUT_OF_CHAIN);
    }

    @Test
    void genesis_signedByAnotherManagerThanInvited_refusedForged() {
        GroupFixture.Group g = group();
        assertThat(refusal(GroupChain.genesis(g.update(0), alice.address()))).isEqualTo(GroupChain.Refusal.FORGED);
    }

    @Test
    void genesis_stateNamingAnotherManager_refusedBadState() {
        GroupState s = new GroupState(GroupFixture.groupId(3), "g", alice.address(), ManagerRights.ALL,
                GroupFixture.members(), List.of(), GroupPolicy.DEFAULT);
        assertThat(refusal(GroupChain.genesis(GroupFixture.genesisFor(manager, s, T0), manager.address())))
                .isEqualTo(GroupChain.Refusal.BAD_STATE);
    }
}
