package org.hearth.node.managed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.crypto.PassphraseKdf;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.group.GroupId;
import org.hearth.core.group.GroupPolicy;
import org.hearth.core.group.GroupState;
import org.hearth.core.group.KeyCatchup;
import org.hearth.core.group.Permission;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.Endpoint;
import org.hearth.core.identity.HostPort;
import org.hearth.core.wire.WireCodec;
import org.hearth.node.Node;
import org.hearth.node.NodeConfig;
import org.hearth.node.NodeHome;
import org.hearth.node.group.GroupAlarm;
import org.hearth.node.group.GroupRecord;
import org.hearth.node.store.Database;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member joins a group of more than 1000 members, whose state no longer fits one peer message: the manager
 * sends the join's sync in parts (protocol.md §6.1), and the member ends up with exactly the manager's state.
 * The member accepts late, after two more epochs, so under since-join the sync also carries the history from
 * the epoch it was added in (a second 1600-member state) and it gets those keys too.
 *
 * <p>The big group is built through the manager's API with offline identities (nobody listens at their
 * endpoints). One update carries at most 1000 changes, so the members go in over two epochs; the manager's
 * minimum rotation interval of an hour lets the adds pile up, and its clock is moved forward to let each epoch
 * start (the clock runs on from system time, moved by an offset, so timeouts elsewhere still pass).
 */
@Timeout(240)
class LargeGroupJoinTest {
    private static final int FIRST_BATCH = 1000;
    private static final int SECOND_BATCH = 600;

    @TempDir
    Path dir;
    private Cluster c;
    private Node alice;

    @AfterEach
    void close() {
        if (alice != null) {
            alice.close();
        }
        c.close();
    }

    @Test
    void accept_groupLargerThanOneMessage_memberAdoptsTheManagersStateWithKeysSinceAdded() throws Exception {
        c = new Cluster(dir);
        Node bob = c.member("bob");
        OffsetClock clock = new OffsetClock();
        alice = startManager(clock);
        GroupPolicy hourly = new GroupPolicy(Duration.ZERO, 0, Duration.ofHours(1), KeyCatchup.SINCE_JOIN,
                Duration.ofDays(7));
        GroupId g = alice.groups().create("large", List.of(alice.endpoint()), true, hourly);
        RandomSource random = RandomSource.secure();

        addOffline(g, FIRST_BATCH, random);
        nextEpoch(clock, g, 1);
        addOffline(g, SECOND_BATCH, random);
        alice.groups().add(g, bob.endpoint(), Permission.WRITE);
        nextEpoch(clock, g, 2);
        c.await("bob", () -> c.invited("bob", g), "bob gets the invite");
        alice.groups().rotate(g);
        nextEpoch(clock, g, 3);

        GroupState managers = alice.groups().group(g).head().orElseThrow().state();
        assertThat(managers.members()).hasSize(1 + FIRST_BATCH + SECOND_BATCH + 1);
        assertThat(managers.toProto().getSerializedSize()).as("the state alone is beyond one sync message")
                .isGreaterThan(WireCodec.MAX_ONE_PART_SYNC_BYTES);

        bob.groups().accept(g);
        c.await("bob", () -> c.joinedWithKey("bob", g, 3), "bob joins the large group");

        GroupRecord bobs = bob.groups().group(g);
        assertThat(bobs.status()).isEqualTo(GroupRecord.Status.JOINED);
        assertThat(bobs.head().orElseThrow().state().digest()).isEqualTo(managers.digest());
        assertThat(bobs.head().orElseThrow().state().members()).isEqualTo(managers.members());
        assertThat(bob.groups().heldKeyEpochs(g)).as("since-join: keys from epoch 2, the one bob was added in")
                .contains(2L, 3L).doesNotContain(1L);
        assertThat(bob.groups().alarms(g)).map(GroupAlarm::kind).noneMatch(k -> k.startsWith("refused"));
        // every part was acknowledged once the sync was committed: nothing for bob is left at the manager
        try (Database store = Database.open(dir.resolve("alice"), Cluster.PASSPHRASE.toCharArray(), PassphraseKdf.FAST)) {
            c.poll("bob", () -> store.read(tx -> tx.queryOne("SELECT count(*) FROM outbox WHERE peer = ?",
                    rs -> rs.getLong(1), bob.address().text())).orElseThrow() == 0, Duration.ofSeconds(30),
                    "the manager's outbox for bob empties");
        }
    }

    private Node startManager(Clock clock) throws Exception {
        Path home = dir.resolve("alice");
        NodeHome.init(home, Cluster.PASSPHRASE.toCharArray(), "alice", RandomSource.secure(), PassphraseKdf.FAST);
        return Node.start(new NodeConfig(home, Cluster.PASSPHRASE.toCharArray(), new HostPort("127.0.0.1", 0),
                Optional.empty(), clock, RandomSource.secure(), NodeConfig.Roles.MEMBER));
    }

    /** Members that exist only as keys: their endpoints are a closed port on loopback. */
    private void addOffline(GroupId g, int n, RandomSource random) {
        for (int i = 0; i < n; i++) {
            Address a = Address.of(Bytes.wrap(random.bytes(32)));
            alice.groups().add(g, new Endpoint(a, "127.0.0.1", 9), i % 2 == 0 ? Permission.READ : Permission.WRITE);
        }
    }

    /** Lets the minimum rotation interval pass; the manager's sweep (every 500 ms) then issues the epoch. */
    private void nextEpoch(OffsetClock clock, GroupId g, long epoch) throws InterruptedException {
        clock.advance(Duration.ofHours(1).plusSeconds(1));
        if (!alice.changes().awaitCondition(() -> alice.groups().group(g).epoch() >= epoch, Cluster.STEP)) {
            throw new AssertionError("the manager did not issue epoch " + epoch);
        }
    }

    /** System time plus an offset that only grows. */
    private static final class OffsetClock extends Clock {
        private volatile Duration offset = Duration.ZERO;

        void advance(Duration d) {
            offset = offset.plus(d);
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(offset);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("tests use UTC");
        }
    }
}
