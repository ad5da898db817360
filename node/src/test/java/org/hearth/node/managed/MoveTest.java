package org.hearth.node.managed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.group.GroupId;
import org.hearth.core.group.Permission;
import org.hearth.node.Node;
import org.hearth.node.NodeConfig;
import org.hearth.node.group.GroupMessageView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Moving a group: alice manages it and first hosts it herself, moves it to an untrusted host H, then back.
 * Members post in every phase; carol is offline across the first move and bob across the second, and the
 * messages posted while each was away still reach them (bob's last missed one only through the history alice
 * copied home, as H is gone by then). Every member ends with every message exactly once.
 */
@Timeout(120)
class MoveTest {
    @TempDir
    Path dir;
    private Cluster c;
    private GroupId g;
    private final List<String> posted = new ArrayList<>();

    @AfterEach
    void close() {
        c.close();
    }

    @Test
    void move_selfToUntrustedHostAndBack_everyMemberHasEveryMessageOnce() throws Exception {
        c = new Cluster(dir);
        Node host = c.start("H", NodeConfig.Roles.HOST);
        Node alice = c.member("alice");
        c.member("bob");
        c.member("carol");
        Map<String, Permission> members = new LinkedHashMap<>();
        members.put("bob", Permission.WRITE);
        members.put("carol", Permission.WRITE);
        g = c.selfHostedGroup("alice", Cluster.IMMEDIATE, members);

        post("alice", "A1 alice at home");
        post("bob", "A2 bob at home");
        post("carol", "A3 carol at home");
        awaitAll(List.of("alice", "bob", "carol"));
        c.stop("carol");
        post("alice", "A4 alice at home, carol away");
        post("bob", "A5 bob at home, carol away");
        awaitAll(List.of("alice", "bob"));

        alice.groups().move(g, List.of(host.endpoint()));
        long toH = alice.groups().group(g).epoch();
        awaitHostHolds("H", posted.size(), "alice copies the history to H");
        for (String p : List.of("alice", "bob")) {
            c.await(p, () -> c.hosts(p, g, host) && c.joinedWithKey(p, g, toH), p + " follows the move to H");
        }
        post("alice", "B1 alice on H, carol away");
        post("bob", "B2 bob on H, carol away");
        awaitAll(List.of("alice", "bob"));
        c.restart("carol");
        c.await("carol", () -> c.hosts("carol", g, host) && c.joinedWithKey("carol", g, toH), "carol follows late");
        awaitAll(List.of("carol"));
        post("carol", "B3 carol back, on H");
        awaitAll(List.of("alice", "bob", "carol"));
        c.stop("bob");
        post("carol", "B4 carol on H, bob away");
        awaitAll(List.of("alice", "carol"));

        alice.groups().move(g, List.of(alice.endpoint()));
        long home = alice.groups().group(g).epoch();
        awaitHostHolds("alice", posted.size(), "alice copies the history from H back home");
        // with H gone, the copy at alice is bob's only way to B4
        c.stop("H");
        for (String p : List.of("alice", "carol")) {
            c.await(p, () -> c.hosts(p, g, alice) && c.joinedWithKey(p, g, home), p + " follows the move home");
        }
        post("alice", "C1 alice home again, bob away");
        post("carol", "C2 carol home again, bob away");
        awaitAll(List.of("alice", "carol"));
        c.restart("bob");
        c.await("bob", () -> c.hosts("bob", g, alice) && c.joinedWithKey("bob", g, home), "bob follows late");
        awaitAll(List.of("bob"));
        post("bob", "C3 bob back home");
        awaitAll(List.of("alice", "bob", "carol"));

        for (String p : List.of("alice", "bob", "carol")) {
            List<GroupMessageView> got = c.node(p).groups().messages(g);
            assertThat(got).as(p + "'s history").map(GroupMessageView::text)
                    .containsExactlyInAnyOrderElementsOf(posted);
            List<Bytes> ids = got.stream().map(GroupMessageView::id).toList();
            assertThat(ids).as(p + "'s message ids").doesNotHaveDuplicates();
        }
        assertThat(ids("alice")).as("the same messages, by id, everywhere")
                .containsExactlyInAnyOrderElementsOf(ids("bob"))
                .containsExactlyInAnyOrderElementsOf(ids("carol"));
    }

    private void post(String who, String text) {
        assertThat(c.node(who).groups().send(g, text, Cluster.STEP).name()).as(who + " posts: " + text)
                .isEqualTo("STORED_BY_HOST");
        posted.add(text);
    }

    /** Each of {@code who} has read everything posted so far. */
    private void awaitAll(List<String> who) throws InterruptedException {
        List<String> expected = List.copyOf(posted);
        for (String p : who) {
            c.await(p, () -> c.hasAll(p, g, expected), p + " reads " + expected);
        }
    }

    /**
     * Waits until {@code hostName}'s store holds exactly {@code count} envelopes under the group's tags: the
     * manager's history copy after a move (which notifies nobody) has arrived, each envelope once.
     */
    private void awaitHostHolds(String hostName, int count, String what) throws Exception {
        List<Bytes> tags;
        try (StoreProbe manager = StoreProbe.open(c.home("alice"))) {
            tags = manager.keys(g).stream().map(org.hearth.core.group.EpochKey::tag).toList();
        }
        try (StoreProbe host = StoreProbe.open(c.home(hostName))) {
            c.poll("alice", () -> host.hostEnvelopes(tags) >= count, Cluster.STEP, what);
            assertThat(host.hostEnvelopes(tags)).as(what + ", each once").isEqualTo(count);
        }
    }

    private List<Bytes> ids(String who) {
        return c.node(who).groups().messages(g).stream().map(GroupMessageView::id).toList();
    }
}
