package org.hearth.node.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.hearth.core.crypto.PassphraseKdf;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.group.GroupChain;
import org.hearth.core.group.GroupId;
import org.hearth.core.group.GroupPolicy;
import org.hearth.core.group.GroupState;
import org.hearth.core.group.KeyCatchup;
import org.hearth.core.group.ManagerEngine;
import org.hearth.core.group.Permission;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.Identity;
import org.hearth.node.store.Database;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The group log keeps an epoch's full state only every {@link GroupRepository#SNAPSHOT_EVERY} epochs (or after a
 * gap) and rebuilds the others from the signed updates: every epoch reads back as the state the chain produced,
 * a member's row holds no state, and a damaged log is reported, never replayed into a wrong state.
 */
class GroupLogTest {
    private static final GroupPolicy EAGER = new GroupPolicy(Duration.ZERO, 0, Duration.ZERO, KeyCatchup.SINCE_JOIN,
            Duration.ofDays(7));
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path dir;
    private Database db;
    private final Random random = new Random(7);
    private final RandomSource rs = random::nextBytes;
    private final Identity manager = Identity.generate(rs);
    private final GroupId id = GroupId.random(rs);

    @BeforeEach
    void open() throws Exception {
        db = Database.open(dir, "log test".toCharArray(), PassphraseKdf.FAST, rs);
        GroupStates.forget();
    }

    @AfterEach
    void close() {
        db.close();
        GroupStates.forget();
    }

    /** {@code epochs + 1} heads: genesis with 20 members, then one change (or a rotation) per epoch. */
    private List<GroupChain.Head> chain(int epochs) {
        Map<Address, Permission> members = new LinkedHashMap<>();
        List<Address> joined = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Address a = Identity.generate(rs).address();
            members.put(a, Permission.WRITE);
            joined.add(a);
        }
        members.put(manager.address(), Permission.WRITE);
        ManagerEngine.Step step = ManagerEngine.create(manager, id, "log", members, List.of(), EAGER, T0, rs);
        List<GroupChain.Head> heads = new ArrayList<>(List.of(step.session().head()));
        ManagerEngine.Session s = step.session();
        for (int e = 1; e <= epochs; e++) {
            if (e % 3 == 0) {
                s = ManagerEngine.propose(s, ManagerEngine.remove(joined.remove(0)));
            } else if (e % 3 == 1) {
                Address a = Identity.generate(rs).address();
                joined.add(a);
                s = ManagerEngine.propose(s, ManagerEngine.add(a, Permission.READ));
            } else {
                s = s.requestRotation();
            }
            s = ManagerEngine.tick(s, manager, T0.plusSeconds(e), rs).session();
            heads.add(s.head());
        }
        return heads;
    }

    private void store(List<GroupChain.Head> heads, GroupRecord.Role role) {
        GroupChain.Head last = heads.get(heads.size() - 1);
        db.write(tx -> {
            GroupRepository.insert(tx, new GroupRecord(id, "log", manager.address(), role, GroupRecord.Status.JOINED,
                    Permission.WRITE, Optional.of(last), T0, 0, List.of(), false), T0);
            for (GroupChain.Head h : heads) {
                GroupRepository.putUpdate(tx, h);
            }
            return null;
        });
        GroupStates.forget(); // what follows reads the store, not what writing it left in memory
    }

    private Optional<GroupState> stateAt(long epoch) {
        return db.read(tx -> GroupRepository.stateAt(tx, id, epoch));
    }

    private boolean rowSays(String sql) {
        Optional<Boolean> r = db.read(tx -> tx.queryOne(sql, q -> q.getInt(1) == 1, id.bytes()));
        return r.orElseThrow();
    }

    private List<Long> storedStates() {
        return db.read(tx -> tx.query("SELECT epoch FROM group_updates WHERE group_id = ? AND state IS NOT NULL"
                + " ORDER BY epoch", r -> r.getLong(1), id.bytes()));
    }

    @Test
    void everyEpochReadsBackAsTheChainsStateThoughFewAreStored() {
        List<GroupChain.Head> heads = chain(40);
        store(heads, GroupRecord.Role.MEMBER);

        assertThat(storedStates()).containsExactly(0L, 16L, 32L);
        for (GroupChain.Head h : heads) {
            GroupStates.forget();
            Optional<GroupState> s = stateAt(h.epoch());
            assertThat(s).as("epoch %d", h.epoch()).hasValue(h.state());
            assertThat(s.get().digest()).isEqualTo(h.update().stateDigest());
        }
        assertThat(stateAt(41)).isEmpty();
    }

    @Test
    void aMembersRowKeepsTheHeadOnlyAndReadsItsStateFromTheLog() {
        List<GroupChain.Head> heads = chain(10);
        store(heads, GroupRecord.Role.MEMBER);

        assertThat(rowSays("SELECT state IS NULL AND head IS NOT NULL FROM groups WHERE id = ?")).isTrue();
        Optional<GroupRecord> found = db.read(tx -> GroupRepository.find(tx, id));
        GroupRecord g = found.orElseThrow();
        assertThat(g.head()).hasValue(heads.get(10));
        assertThat(g.epoch()).isEqualTo(10);
    }

    @Test
    void aManagersRowKeepsItsHeadsState() {
        List<GroupChain.Head> heads = chain(3);
        store(heads, GroupRecord.Role.MANAGER);

        assertThat(rowSays("SELECT state IS NOT NULL FROM groups WHERE id = ?")).isTrue();
        Optional<GroupRecord> g = db.read(tx -> GroupRepository.find(tx, id));
        assertThat(g.orElseThrow().head()).hasValue(heads.get(3));
    }

    @Test
    void anEpochAfterAGapIsStoredInFull() {
        List<GroupChain.Head> heads = chain(9);
        List<GroupChain.Head> withGap = new ArrayList<>(heads);
        withGap.remove(5);
        store(withGap, GroupRecord.Role.MEMBER);

        assertThat(storedStates()).containsExactly(0L, 6L);
        assertThat(stateAt(5)).isEmpty();
        for (int e : new int[] {4, 6, 9}) {
            GroupStates.forget();
            assertThat(stateAt(e)).hasValue(heads.get(e).state());
        }
    }

    @Test
    void aMissingOrSwappedLogRowIsReportedNotReplayed() {
        List<GroupChain.Head> heads = chain(12);
        store(heads, GroupRecord.Role.MEMBER);

        // epoch 7's row holding epoch 8's update
        db.write(tx -> tx.update("UPDATE group_updates SET signed = (SELECT signed FROM group_updates WHERE"
                + " group_id = ? AND epoch = 8) WHERE group_id = ? AND epoch = 7", id.bytes(), id.bytes()));
        assertThatThrownBy(() -> stateAt(10))
                .hasRootCauseInstanceOf(SQLException.class).rootCause().hasMessageContaining("corrupt group log");

        // a row in the middle gone
        db.write(tx -> tx.update("DELETE FROM group_updates WHERE group_id = ? AND epoch = 7", id.bytes()));
        GroupStates.forget();
        assertThatThrownBy(() -> stateAt(10))
                .rootCause().hasMessageContaining("epoch 7 is missing");

        // a stored state that is not its update's
        db.write(tx -> tx.update("UPDATE group_updates SET state = (SELECT state FROM group_updates WHERE"
                + " group_id = ? AND epoch = 0) WHERE group_id = ? AND epoch = 6", id.bytes(), id.bytes()));
        db.write(tx -> tx.update("UPDATE group_updates SET state = NULL WHERE group_id = ? AND epoch = 0",
                id.bytes()));
        GroupStates.forget();
        assertThatThrownBy(() -> stateAt(6))
                .rootCause().hasMessageContaining("does not match");
    }
}
