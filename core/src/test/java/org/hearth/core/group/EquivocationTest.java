package org.hearth.core.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hearth.core.group.GroupFixture.T0;
import static org.hearth.core.group.GroupFixture.identity;
import static org.hearth.core.group.GroupFixture.signUpdate;

import java.util.List;
import java.util.Optional;
import org.hearth.core.crypto.CryptoException;
import org.hearth.core.identity.Identity;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.proto.Change;
import org.hearth.core.wire.proto.SignedUpdate;
import org.junit.jupiter.api.Test;

/**
 * Manager equivocation (design §6): two different updates for the same (group, epoch), both validly signed,
 * are a proof anyone can check; anything less is not.
 */
class EquivocationTest {
    private final Identity manager = identity(1);
    private final Identity alice = identity(2);
    private final Identity bob = identity(3);
    private final Identity mallory = identity(66);
    private final GroupFixture.Group g = new GroupFixture.Group(manager,
            GroupFixture.members(alice.address(), Permission.WRITE, bob.address(), Permission.WRITE), 41);

    {
        g.next();
        g.next(ManagerEngine.add(identity(4).address(), Permission.READ));
    }

    /** A second, different update for {@code epoch} on the same previous update: what a splitting manager sends. */
    private GroupUpdate fork(long epoch, Identity signer) {
        try {
            Change removeBob = ManagerEngine.remove(bob.address());
            GroupState s = GroupChain.applyChanges(g.state(epoch - 1), List.of(removeBob));
            return signUpdate(signer, g.id(), epoch, g.update(epoch - 1).hash(), s.digest(), List.of(removeBob),
                    T0.plusSeconds(500));
        } catch (MalformedMessageException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void apply_secondUpdateForTheHeadEpoch_equivocatedWithACheckableProof() throws Exception {
        GroupUpdate other = fork(2, manager);

        GroupChain.Verdict v = GroupChain.apply(g.head(), other, g::acceptedAt);

        assertThat(v).isInstanceOf(GroupChain.Equivocated.class);
        EquivocationProof proof = ((GroupChain.Equivocated) v).proof();
        assertThat(proof.manager()).isEqualTo(manager.address());
        assertThat(proof.groupId()).isEqualTo(g.id());
        assertThat(proof.epoch()).isEqualTo(2);
        assertThat(List.of(proof.first(), proof.second())).containsExactlyInAnyOrder(g.update(2), other);

        EquivocationProof checked = EquivocationProof.verify(manager.address(), proof.first().signed(),
                proof.second().signed());
        assertThat(checked.epoch()).isEqualTo(2);
        assertThat(checked.groupId()).isEqualTo(g.id());
    }

    @Test
    void apply_secondUpdateForAnOlderAcceptedEpoch_equivocated() throws Exception {
        GroupUpdate other = fork(1, manager);

        GroupChain.Verdict v = GroupChain.apply(g.head(), other, g::acceptedAt);

        assertThat(v).isInstanceOf(GroupChain.Equivocated.class);
        EquivocationProof proof = ((GroupChain.Equivocated) v).proof();
        assertThat(proof.epoch()).isEqualTo(1);
        EquivocationProof.verify(manager.address(), proof.first().signed(), proof.second().signed());
    }

    @Test
    void apply_secondUpdateForAnEpochTheMemberNoLongerKeeps_refusedReplayed() {
        GroupChain.Verdict v = GroupChain.apply(g.head(), fork(1, manager), e -> Optional.empty());
        assertThat(GroupFixture.refusal(v)).isEqualTo(GroupChain.Refusal.REPLAYED);
    }

    @Test
    void verify_sameUpdateTwice_throwsMalformed() {
        SignedUpdate a = g.update(2).signed();
        assertThatThrownBy(() -> EquivocationProof.verify(manager.address(), a, a))
                .isInstanceOf(MalformedMessageException.class);
    }

    @Test
    void verify_updatesOfDifferentEpochs_throwsMalformed() {
        assertThatThrownBy(() -> EquivocationProof.verify(manager.address(), g.update(1).signed(), g.update(2).signed()))
                .isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> EquivocationProof.verify(manager.address(), g.update(2).signed(), fork(1, manager).signed()))
                .isInstanceOf(MalformedMessageException.class);
    }

    @Test
    void verify_updatesOfDifferentGroupsSameEpoch_throwsMalformed() {
        GroupFixture.Group other = new GroupFixture.Group(manager, GroupFixture.members(), 42);
        other.next();
        other.next();
        assertThatThrownBy(() -> EquivocationProof.verify(manager.address(), g.update(2).signed(), other.update(2).signed()))
                .isInstanceOf(MalformedMessageException.class);
    }

    @Test
    void verify_secondSignatureForgedByAnotherKey_throwsCryptoException() {
        SignedUpdate forged = fork(2, mallory).signed();
        assertThatThrownBy(() -> EquivocationProof.verify(manager.address(), g.update(2).signed(), forged))
                .isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> EquivocationProof.verify(manager.address(), forged, g.update(2).signed()))
                .isInstanceOf(CryptoException.class);
    }

    @Test
    void verify_secondBodyWithTheFirstsSignature_throwsCryptoException() {
        SignedUpdate spliced = fork(2, manager).signed().toBuilder().setSignature(g.update(2).signed().getSignature())
                .build();
        assertThatThrownBy(() -> EquivocationProof.verify(manager.address(), g.update(2).signed(), spliced))
                .isInstanceOf(CryptoException.class);
    }

    @Test
    void verify_genuineProofAgainstAnotherManager_throwsCryptoException() {
        assertThatThrownBy(() -> EquivocationProof.verify(alice.address(), g.update(2).signed(), fork(2, manager).signed()))
                .isInstanceOf(CryptoException.class);
    }
}
