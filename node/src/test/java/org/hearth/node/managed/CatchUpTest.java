package org.hearth.node.managed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.hearth.core.group.GroupId;
import org.hearth.core.group.Permission;
import org.hearth.node.Node;
import org.hearth.node.group.SendOutcome;
import org.hearth.node.group.SyncProgress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member that missed several pages of messages catches up through the pipelined fetch (pages fetched ahead
 * while earlier ones are opened and stored): stopped in the middle, it loses nothing, skips nothing and, from its
 * committed cursor, fetches nothing twice; its progress says so.
 */
class CatchUpTest {
    /** Several host pages (a page holds ~98 envelopes of this size), so the catch-up is pipelined. */
    private static final int MISSED = 600;
    private static final Duration SEND_WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void catchUp_memberStoppedAfterFirstPage_restartStoresTheRestExactlyOnceFromItsCursor() throws Exception {
        try (Cluster c = new Cluster(dir)) {
            c.member("bot");
            c.member("reader");
            GroupId g = c.selfHostedGroup("bot", Cluster.IMMEDIATE, Map.of("reader", Permission.READ));
            c.stop("reader");
            List<String> sent = send(c.node("bot"), g, MISSED);

            Node first = c.restart("reader");
            c.await("reader", () -> first.groups().messageCount(g) > 0, "the first page is stored");
            c.stop("reader"); // later pages are still being fetched, opened or stored
            long stored;
            try (StoreProbe probe = StoreProbe.open(c.home("reader"))) {
                stored = probe.groupMessages(g);
            }
            assumeThat(stored).as("the reader was stopped in the middle of its catch-up").isLessThan(MISSED);

            Node reader = c.restart("reader");
            c.await("reader", () -> caughtUp(reader, g), "the reader catches up");
            assertThat(c.texts("reader", g)).as("every message, each once").containsExactlyInAnyOrderElementsOf(sent);
            SyncProgress p = reader.groups().sync(g).getFirst();
            assertThat(p.state()).isEqualTo(SyncProgress.State.CAUGHT_UP);
            assertThat(p.stored()).as("stored after the restart").isEqualTo(MISSED - stored);
            assertThat(p.processed()).as("fetched from the committed cursor: nothing twice").isEqualTo(MISSED - stored);
            assertThat(p.head()).as("the host tells its position").isGreaterThanOrEqualTo(p.cursor()).isPositive();
            assertThat(p.fraction()).hasValue(1.0);
            assertThat(p.remainingEstimate()).hasValue(0L);
        }
    }

    @Test
    void sync_memberThatMissedNothing_caughtUpWithNothingStored() throws Exception {
        try (Cluster c = new Cluster(dir)) {
            Node bot = c.member("bot");
            c.member("reader");
            GroupId g = c.selfHostedGroup("bot", Cluster.IMMEDIATE, Map.of("reader", Permission.READ));
            Node reader = c.node("reader");
            c.await("reader", () -> caughtUp(reader, g), "the reader's loop reaches the end");
            SyncProgress p = reader.groups().sync(g).getFirst();
            assertThat(p.host()).isEqualTo(bot.address());
            assertThat(p.stored()).isZero();
            assertThat(p.problem()).isEmpty();
        }
    }

    private static boolean caughtUp(Node n, GroupId g) {
        List<SyncProgress> s = n.groups().sync(g);
        return !s.isEmpty() && s.stream().allMatch(p -> p.state() == SyncProgress.State.CAUGHT_UP);
    }

    /** Posts {@code n} messages from a few threads at once, each acknowledged by the host. */
    private static List<String> send(Node from, GroupId g, int n) throws Exception {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            texts.add(String.format("missed message %04d", i));
        }
        try (ExecutorService senders = Executors.newFixedThreadPool(4)) {
            List<Future<SendOutcome>> outcomes = new ArrayList<>();
            for (String t : texts) {
                outcomes.add(senders.submit(() -> from.groups().send(g, t, SEND_WAIT)));
            }
            for (Future<SendOutcome> o : outcomes) {
                assertThat(o.get()).isEqualTo(SendOutcome.STORED_BY_HOST);
            }
        }
        return texts;
    }
}
