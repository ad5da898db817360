package org.hearth.node.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.hearth.core.crypto.PassphraseKdf;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.group.GroupId;
import org.hearth.core.group.GroupPolicy;
import org.hearth.core.group.KeyCatchup;
import org.hearth.core.group.Permission;
import org.hearth.core.identity.Endpoint;
import org.hearth.core.identity.HostPort;
import org.hearth.core.identity.Identity;
import org.hearth.node.Node;
import org.hearth.node.NodeConfig;
import org.hearth.node.NodeHome;
import org.hearth.node.testkit.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manager's sweep on a real node whose clock moves only when the test says: each group is looked at when
 * its policy makes it due, not on every sweep. The node's own 500 ms sweep runs too; it can only do what the
 * explicit sweeps here do, since both read the same clock, so every assertion holds whichever ran first.
 */
class ManagerSweepTest {
    private static final char[] PASSPHRASE = "sweep test".toCharArray();
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    /** Changes wait for the minimum interval (one hour); no timed rotation. */
    private static final GroupPolicy HOURLY_BATCHES = new GroupPolicy(Duration.ZERO, 0, Duration.ofHours(1),
            KeyCatchup.SINCE_JOIN, Duration.ofDays(7));

    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(T0);
    private final RandomSource random = RandomSource.secure();
    private Node node;

    @AfterEach
    void close() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void sweep_pendingChanges_eachGroupGetsItsEpochWhenDueAndNotBefore() throws Exception {
        node = start();
        GroupService groups = node.groups();
        GroupId a = groups.create("a", List.of(node.endpoint()), true, HOURLY_BATCHES);
        groups.add(a, offlineMember(), Permission.WRITE);
        groups.sweep(); // a proposal makes its group due at once: this look finds the interval still running
        clock.advance(Duration.ofMinutes(30));
        GroupId b = groups.create("b", List.of(node.endpoint()), true, HOURLY_BATCHES);
        groups.add(b, offlineMember(), Permission.WRITE);
        groups.sweep();

        assertThat(groups.group(a).pending()).hasSize(1);
        assertThat(groups.nextCheck(a)).contains(T0.plus(Duration.ofHours(1)));
        assertThat(groups.nextCheck(b)).contains(T0.plus(Duration.ofMinutes(90)));

        clock.advance(Duration.ofMinutes(29));
        assertThat(groups.sweep()).as("nothing is due yet").isEmpty();
        assertThat(groups.group(a).epoch()).isZero();

        clock.advance(Duration.ofMinutes(1));
        assertThat(groups.sweep()).doesNotContain(b);
        assertThat(groups.group(a).epoch()).as("a's change goes out when its interval ends").isEqualTo(1);
        assertThat(groups.group(a).pending()).isEmpty();
        assertThat(groups.group(b).epoch()).as("b waits for its own interval").isZero();
        assertThat(groups.nextCheck(a)).as("nothing timed is left for a").isEmpty();
        assertThat(groups.nextCheck(b)).contains(T0.plus(Duration.ofMinutes(90)));

        clock.advance(Duration.ofMinutes(30));
        groups.sweep();
        assertThat(groups.group(b).epoch()).isEqualTo(1);
        assertThat(groups.group(b).head().orElseThrow().state().members()).hasSize(2);
    }

    @Test
    void start_timedGroups_scheduledFromTheStoreAndIdleOnesNotAtAll() throws Exception {
        node = start();
        GroupPolicy hourly = new GroupPolicy(Duration.ofHours(1), 0, Duration.ZERO, KeyCatchup.SINCE_JOIN,
                Duration.ofDays(7));
        GroupPolicy untimed = new GroupPolicy(Duration.ZERO, 0, Duration.ZERO, KeyCatchup.SINCE_JOIN,
                Duration.ofDays(7));
        GroupId timed = node.groups().create("timed", List.of(node.endpoint()), true, hourly);
        GroupId idle = node.groups().create("idle", List.of(node.endpoint()), true, untimed);
        assertThat(node.groups().nextCheck(timed)).contains(T0.plus(Duration.ofHours(1)));
        assertThat(node.groups().nextCheck(idle)).isEmpty();

        node.close();
        node = start();
        GroupService groups = node.groups();
        // every managed group is looked at once after a start; then only by its own time
        groups.sweep();
        assertThat(groups.nextCheck(timed)).contains(T0.plus(Duration.ofHours(1)));
        assertThat(groups.nextCheck(idle)).isEmpty();
        assertThat(groups.sweep()).isEmpty();

        clock.advance(Duration.ofHours(1));
        assertThat(groups.sweep()).doesNotContain(idle);
        assertThat(groups.group(timed).epoch()).as("rotated at its maximum age").isEqualTo(1);
        assertThat(groups.group(idle).epoch()).isZero();
        assertThat(groups.nextCheck(timed)).contains(T0.plus(Duration.ofHours(2)));
    }

    private Endpoint offlineMember() {
        return new Endpoint(Identity.generate(random).address(), "127.0.0.1", 9);
    }

    private Node start() throws Exception {
        Path home = dir.resolve("manager");
        if (!NodeHome.exists(home)) {
            NodeHome.init(home, PASSPHRASE, "manager", random, PassphraseKdf.FAST);
        }
        return Node.start(new NodeConfig(home, PASSPHRASE, new HostPort("127.0.0.1", 0), Optional.empty(), clock,
                random, NodeConfig.Roles.MEMBER));
    }
}
