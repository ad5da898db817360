package org.hearth.core.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hearth.core.group.GroupFixture.T0;
import static org.hearth.core.group.GroupFixture.accepted;
import static org.hearth.core.group.GroupFixture.identity;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.chat.ChatOverlay;
import org.hearth.core.crypto.CryptoException;
import org.hearth.core.identity.Identity;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.junit.jupiter.api.Test;

/**
 * A removed member keeps every key it was given (design §8) but must not read later epochs. Carol is a member
 * at epochs 0 and 1 and is removed by the update of epoch 2; epoch 3 is an ordinary rotation.
 */
class RemovedMemberTest {
    private static final long REMOVED_AT = 2;
    private final Identity manager = identity(1);
    private final Identity alice = identity(2);
    private final Identity carol = identity(4);
    private final GroupFixture.Group g = new GroupFixture.Group(manager,
            GroupFixture.members(alice.address(), Permission.WRITE, carol.address(), Permission.WRITE), 61);
    /** What Carol holds: the keys delivered to her while she was a reader. */
    private final Map<Long, EpochKey> carolsKeys = new TreeMap<>();

    {
        g.next();
        g.next(ManagerEngine.remove(carol.address()));
        g.next();
        for (long e = 0; e <= g.head().epoch(); e++) {
            if (g.state(e).members().containsKey(carol.address())) {
                carolsKeys.put(e, g.key(e));
            }
        }
    }

    private GroupEnvelope aliceWrites(long epoch, String text) {
        return GroupMessages.seal(alice, g.key(epoch), T0, List.of(), ChatOverlay.text(text), Optional.empty(),
                GroupFixture.seeded(epoch));
    }

    @Test
    void deliveries_removedMember_heldKeysOnlyUpToTheEpochBeforeRemoval() {
        assertThat(carolsKeys).containsOnlyKeys(0L, REMOVED_AT - 1);
    }

    @Test
    void apply_removalUpdate_acceptedByTheRemovedMemberAndNamesHerNoMore() {
        GroupChain.Head h = accepted(GroupChain.genesis(g.update(0), manager.address()));
        h = accepted(GroupChain.apply(h, g.update(1), g::acceptedAt));
        h = accepted(GroupChain.apply(h, g.update(REMOVED_AT), g::acceptedAt));
        assertThat(h.state().members()).doesNotContainKey(carol.address()).containsKey(alice.address());
    }

    @Test
    void open_epochAfterRemovalWithAnyOldKey_throwsCryptoException() {
        for (long epoch = REMOVED_AT; epoch <= g.head().epoch(); epoch++) {
            GroupEnvelope e = aliceWrites(epoch, "after carol left");
            String at = "epoch " + epoch;
            for (EpochKey old : carolsKeys.values()) {
                assertThatThrownBy(() -> GroupMessages.open(e, old)).as("%s with key of %d", at, old.epoch())
                        .isInstanceOf(CryptoException.class);
            }
        }
    }

    @Test
    void open_oldKeyMaterialReboundToTheNewEpochNumber_throwsCryptoException() {
        long next = REMOVED_AT + 1;
        GroupEnvelope e = aliceWrites(next, "still after carol left");
        for (EpochKey old : carolsKeys.values()) {
            // Carol knows the public parts of the new epoch (number, update hash) and tries her old key with them.
            EpochKey guess = new EpochKey(g.id(), next, g.update(next).hash(), old.key());
            assertThat(guess.tag()).isNotEqualTo(g.key(next).tag());
            assertThatThrownBy(() -> GroupMessages.open(e, guess)).isInstanceOf(CryptoException.class);
            // Even with the envelope relabelled to her guess's tag, the AEAD refuses it.
            GroupEnvelope relabelled = e.toBuilder().setTag(GroupFixture.bs(guess.tag())).build();
            assertThatThrownBy(() -> GroupMessages.open(relabelled, guess)).isInstanceOf(CryptoException.class);
        }
    }

    @Test
    void tag_epochsAfterRemoval_notDerivableFromOldKeysForAnyEpochNumber() {
        Set<Bytes> laterTags = new HashSet<>();
        for (long epoch = REMOVED_AT; epoch <= g.head().epoch(); epoch++) {
            laterTags.add(g.key(epoch).tag());
        }
        List<Bytes> derivable = new ArrayList<>();
        for (EpochKey old : carolsKeys.values()) {
            for (long epoch = 0; epoch < 64; epoch++) {
                derivable.add(new EpochKey(g.id(), epoch, old.updateHash(), old.key()).tag());
            }
        }
        assertThat(derivable).doesNotContainAnyElementsOf(laterTags);
    }

    @Test
    void open_epochsBeforeRemoval_stillReadableWithTheKeptKeys() throws Exception {
        for (EpochKey old : carolsKeys.values()) {
            assertThat(GroupMessages.open(aliceWrites(old.epoch(), "before"), old).overlay().data()).isEqualTo("before");
        }
    }
}
