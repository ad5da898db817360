package org.hearth.core.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hearth.core.group.GroupFixture.T0;
import static org.hearth.core.group.GroupFixture.identity;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.Identity;
import org.hearth.core.wire.proto.Change;
import org.junit.jupiter.api.Test;

/** The manager's rotation decisions (design §4), tick by tick. */
class ManagerEngineTest {
    private static final GroupPolicy POLICY = new GroupPolicy(Duration.ofMinutes(5), 3, Duration.ofSeconds(30),
            KeyCatchup.SINCE_JOIN, Duration.ofDays(1));
    private final Identity manager = identity(1);
    private final Identity alice = identity(2);
    private final RandomSource random = GroupFixture.seeded(81);

    private ManagerEngine.Step create() {
        return ManagerEngine.create(manager, GroupFixture.groupId(3), "g",
                GroupFixture.members(alice.address(), Permission.WRITE), List.of(), POLICY, T0, random);
    }

    @Test
    void create_anyGroup_issuesASignedGenesisAndAFreshKey() {
        ManagerEngine.Step s = create();
        ManagerEngine.Issued i = s.issued().orElseThrow();
        assertThat(i.key().length()).isEqualTo(32);
        assertThat(GroupFixture.accepted(GroupChain.genesis(i.update(), manager.address())).state())
                .isEqualTo(s.session().head().state());
        assertThat(s.session().epochStartedAt()).isEqualTo(T0);
    }

    @Test
    void create_withInitialMembers_allInTheFirstEpochWithTheirPermissions() {
        Identity bob = identity(4);
        ManagerEngine.Step s = ManagerEngine.create(manager, GroupFixture.groupId(3), "g",
                GroupFixture.members(alice.address(), Permission.WRITE, bob.address(), Permission.READ),
                List.of(), POLICY, T0, random);

        GroupUpdate genesis = s.issued().orElseThrow().update();
        assertThat(genesis.epoch()).isZero();
        assertThat(genesis.changes()).hasSize(1);
        // what a member verifies from the signed genesis alone
        GroupState verified = GroupFixture.accepted(GroupChain.genesis(genesis, manager.address())).state();
        assertThat(verified.members()).containsOnlyKeys(alice.address(), bob.address());
        assertThat(verified.permissionOf(alice.address())).contains(Permission.WRITE);
        assertThat(verified.permissionOf(bob.address())).contains(Permission.READ);
        assertThat(s.session().pending()).isEmpty();
        assertThat(s.session().head().epoch()).isZero();
    }

    @Test
    void create_memberLimit_fitsOneUpdateAndOneMoreIsRefused() {
        java.util.Map<org.hearth.core.identity.Address, Permission> members = new java.util.HashMap<>();
        for (int i = 0; members.size() < ManagerEngine.MAX_INITIAL_MEMBERS; i++) {
            byte[] key = new byte[32];
            random.nextBytes(key);
            members.put(org.hearth.core.identity.Address.of(org.hearth.core.bytes.Bytes.wrap(key)),
                    i % 2 == 0 ? Permission.WRITE : Permission.READ);
        }
        ManagerEngine.Step full = ManagerEngine.create(manager, GroupFixture.groupId(3), "g", members,
                List.of(), POLICY, T0, random);
        assertThat(GroupFixture.accepted(GroupChain.genesis(full.issued().orElseThrow().update(), manager.address()))
                .state().members()).hasSize(ManagerEngine.MAX_INITIAL_MEMBERS);

        members.put(identity(9).address(), Permission.WRITE);
        assertThatThrownBy(() -> ManagerEngine.create(manager, GroupFixture.groupId(3), "g", members, List.of(),
                POLICY, T0, random)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too many");
    }

    @Test
    void tick_joinsInsideTheMinimumInterval_batchedIntoOneUpdateWhenItEnds() {
        ManagerEngine.Session s = create().session();
        s = ManagerEngine.propose(s, ManagerEngine.add(identity(3).address(), Permission.READ));
        ManagerEngine.Step early = ManagerEngine.tick(s, manager, T0.plusSeconds(10), random);
        assertThat(early.issued()).isEmpty();
        assertThat(early.nextCheck()).contains(T0.plusSeconds(30));

        s = ManagerEngine.propose(early.session(), ManagerEngine.add(identity(4).address(), Permission.WRITE));
        s = ManagerEngine.propose(s, ManagerEngine.remove(alice.address()));
        ManagerEngine.Step due = ManagerEngine.tick(s, manager, T0.plusSeconds(30), random);

        GroupUpdate u = due.issued().orElseThrow().update();
        assertThat(u.epoch()).isEqualTo(1);
        assertThat(u.changes()).hasSize(3);
        assertThat(u.time()).isEqualTo(T0.plusSeconds(30));
        assertThat(due.session().pending()).isEmpty();
        assertThat(due.session().head().state().members()).containsOnlyKeys(identity(3).address(),
                identity(4).address());
        assertThat(due.nextCheck()).contains(T0.plusSeconds(30).plus(POLICY.rotateEvery()));
    }

    @Test
    void tick_nothingWanted_noUpdateAndNextCheckAtMaxAge() {
        ManagerEngine.Step s = ManagerEngine.tick(create().session(), manager, T0.plusSeconds(100), random);
        assertThat(s.issued()).isEmpty();
        assertThat(s.nextCheck()).contains(T0.plus(POLICY.rotateEvery()));
    }

    @Test
    void tick_maxAgeReached_rotatesWithARotateChange() {
        ManagerEngine.Step s = ManagerEngine.tick(create().session(), manager, T0.plus(POLICY.rotateEvery()), random);
        GroupUpdate u = s.issued().orElseThrow().update();
        assertThat(u.changes()).containsExactly(Change.newBuilder().setRotate(true).build());
        assertThat(u.stateDigest()).isEqualTo(create().session().head().state().digest());
    }

    @Test
    void tick_messageCountReached_rotatesOnlyAfterTheMinimumInterval() {
        ManagerEngine.Session s = create().session().withMessages(3);
        assertThat(ManagerEngine.tick(s, manager, T0.plusSeconds(29), random).issued()).isEmpty();
        assertThat(ManagerEngine.tick(s, manager, T0.plusSeconds(30), random).issued()).isPresent();
        assertThat(ManagerEngine.tick(create().session().withMessages(2), manager, T0.plusSeconds(30), random).issued())
                .isEmpty();
    }

    @Test
    void tick_explicitRequest_rotatesAndClearsTheRequest() {
        ManagerEngine.Step s = ManagerEngine.tick(create().session().requestRotation(), manager, T0.plusSeconds(31),
                random);
        assertThat(s.issued()).isPresent();
        assertThat(s.session().rotationRequested()).isFalse();
        assertThat(s.session().messagesInEpoch()).isZero();
        assertThat(ManagerEngine.tick(s.session(), manager, T0.plusSeconds(100), random).issued()).isEmpty();
    }

    @Test
    void tick_successiveRotations_freshKeysChainedUpdates() {
        ManagerEngine.Step a = ManagerEngine.tick(create().session().requestRotation(), manager, T0.plusSeconds(30),
                random);
        ManagerEngine.Step b = ManagerEngine.tick(a.session().requestRotation(), manager, T0.plusSeconds(60), random);
        ManagerEngine.Issued ia = a.issued().orElseThrow();
        ManagerEngine.Issued ib = b.issued().orElseThrow();
        assertThat(ib.update().prevHash()).isEqualTo(ia.update().hash());
        assertThat(ib.key().equalsConstantTime(ia.key())).isFalse();
        GroupChain.Head h = GroupFixture.accepted(GroupChain.apply(a.session().head(), ib.update(),
                e -> Optional.empty()));
        assertThat(h.epoch()).isEqualTo(2);
    }

    @Test
    void propose_invalidChanges_throwIllegalArgumentAndLeaveTheSession() {
        ManagerEngine.Session s = create().session();
        assertThatThrownBy(() -> ManagerEngine.propose(s, ManagerEngine.add(alice.address(), Permission.READ)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ManagerEngine.propose(s, ManagerEngine.remove(identity(9).address())))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(s.pending()).isEmpty();
    }

    @Test
    void expired_retention_zeroKeepsForeverOtherwiseAtEndPlusRetention() {
        Instant ended = T0.plusSeconds(1000);
        assertThat(RotationPolicy.expired(POLICY, ended, ended.plus(Duration.ofDays(1)).minusMillis(1))).isFalse();
        assertThat(RotationPolicy.expired(POLICY, ended, ended.plus(Duration.ofDays(1)))).isTrue();
        GroupPolicy forever = new GroupPolicy(Duration.ZERO, 0, Duration.ZERO, KeyCatchup.NONE, Duration.ZERO);
        assertThat(RotationPolicy.expired(forever, ended, ended.plus(Duration.ofDays(10_000)))).isFalse();
    }

    /**
     * A session stored by code older than propose's limit may hold more changes than one update carries (now
     * reachable: a 1004-member state is within the member limit). The tick issues what fits and keeps the rest.
     */
    @Test
    void tick_moreThanOneUpdateOfPendingChanges_issuesWhatFitsAndKeepsTheRest() throws Exception {
        Identity manager = identity(1);
        ManagerEngine.Session s = ManagerEngine.create(manager, GroupFixture.groupId(5), "big", java.util.Map.of(),
                List.of(), GroupFixture.EAGER, T0, GroupFixture.seeded(1)).session();
        java.util.List<Change> pending = new java.util.ArrayList<>();
        java.util.Random r = new java.util.Random(2);
        for (int i = 0; i < GroupUpdate.MAX_CHANGES + 1; i++) {
            byte[] key = new byte[32];
            r.nextBytes(key);
            pending.add(ManagerEngine.add(org.hearth.core.identity.Address.of(org.hearth.core.bytes.Bytes.wrap(key)),
                    Permission.READ));
        }
        GroupState all = GroupChain.applyChanges(s.head().state(), pending);
        ManagerEngine.Session stored = new ManagerEngine.Session(s.head(), pending, all, T0, 0, false);

        ManagerEngine.Step first = ManagerEngine.tick(stored, manager, T0.plusSeconds(1), GroupFixture.seeded(3));
        ManagerEngine.Step second = ManagerEngine.tick(first.session(), manager, T0.plusSeconds(2),
                GroupFixture.seeded(4));

        assertThat(first.issued().orElseThrow().update().changes()).hasSize(GroupUpdate.MAX_CHANGES);
        assertThat(first.session().pending()).hasSize(1);
        GroupChain.Head member = GroupFixture.accepted(GroupChain.apply(s.head(), first.issued().orElseThrow().update(),
                e -> Optional.empty()));
        member = GroupFixture.accepted(GroupChain.apply(member, second.issued().orElseThrow().update(),
                e -> Optional.empty()));
        assertThat(member.state().digest()).isEqualTo(all.digest());
        assertThat(second.session().pending()).isEmpty();
    }
}
