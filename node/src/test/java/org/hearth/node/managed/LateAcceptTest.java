package org.hearth.node.managed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.hearth.core.group.GroupId;
import org.hearth.core.group.Permission;
import org.hearth.node.Node;
import org.hearth.node.group.GroupAlarm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member who accepts an invite only after the group moved on to a later epoch. Under since-join catch-up
 * (protocol §6) it "gets every key since it was added", and the managed host lets it fetch those epochs (it is
 * in their states), so what was posted between its invite and its accept must reach it: by the manager, and by
 * another writer (whose permission in that epoch the newcomer must be able to check).
 */
@Timeout(60)
class LateAcceptTest {
    @TempDir
    Path dir;
    private Cluster c;

    @AfterEach
    void close() {
        c.close();
    }

    @Test
    void accept_afterLaterEpoch_memberGetsKeysSinceAddedAndReadsThem() throws Exception {
        c = new Cluster(dir);
        Node alice = c.member("alice");
        c.member("bob");
        c.member("carol");
        c.member("dave");
        GroupId g = alice.groups().create("late", List.of(alice.endpoint()), true, Cluster.IMMEDIATE);
        alice.groups().add(g, c.node("carol").endpoint(), Permission.WRITE);
        c.await("carol", () -> c.invited("carol", g), "carol gets the invite");
        c.node("carol").groups().accept(g);
        alice.groups().add(g, c.node("bob").endpoint(), Permission.WRITE);
        long bobAdded = alice.groups().group(g).epoch();
        c.await("carol", () -> c.joinedWithKey("carol", g, bobAdded), "carol is in the epoch bob was added in");
        c.await("bob", () -> c.invited("bob", g), "bob gets the invite");
        alice.groups().send(g, "welcome bob, from alice", Cluster.STEP);
        c.node("carol").groups().send(g, "welcome bob, from carol", Cluster.STEP);
        alice.groups().add(g, c.node("dave").endpoint(), Permission.READ);
        long later = alice.groups().group(g).epoch();
        assertThat(later).isGreaterThan(bobAdded);

        c.node("bob").groups().accept(g);
        c.await("bob", () -> c.joinedWithKey("bob", g, later), "bob joins");

        // the join's GroupSync carries every key since bob was added; bob stores what he takes in one go
        assertThat(c.node("bob").groups().heldKeyEpochs(g)).as("since-join: keys from epoch %d on", bobAdded)
                .contains(bobAdded, later);
        c.await("bob", () -> c.texts("bob", g).containsAll(List.of("welcome bob, from alice",
                "welcome bob, from carol")), "bob reads what was posted between his invite and his accept");
        assertThat(c.node("bob").groups().alarms(g)).map(GroupAlarm::kind).doesNotContain("not-a-writer");
    }
}
