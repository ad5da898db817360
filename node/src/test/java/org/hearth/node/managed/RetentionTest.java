package org.hearth.node.managed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.group.EpochKey;
import org.hearth.core.group.GroupId;
import org.hearth.core.group.GroupMessages;
import org.hearth.core.group.GroupPolicy;
import org.hearth.core.group.Permission;
import org.hearth.core.wire.WireCodec;
import org.hearth.core.wire.proto.HostedEnvelope;
import org.hearth.node.Node;
import org.hearth.node.group.GroupMessageView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Message retention at a managed host: the group's policy keeps the newest 3 envelopes, alice's node (manager
 * and host) enforces it in its retention sweep (every ~10 s), and a member who joins afterwards is served only
 * those 3. The sweep tells nobody, so the wait watches alice's host table through {@link StoreProbe}.
 */
@Timeout(90)
class RetentionTest {
    private static final Duration SWEEP_WAIT = Duration.ofSeconds(40);

    @TempDir
    Path dir;
    private Cluster c;

    @AfterEach
    void close() {
        c.close();
    }

    @Test
    void retention_keepNewestThree_laterJoinerServedOnlyNewestThree() throws Exception {
        c = new Cluster(dir);
        Node alice = c.member("alice");
        c.member("bob");
        GroupPolicy keepThree = Cluster.IMMEDIATE.withMessageRetention(Duration.ZERO, 3);
        GroupId g = alice.groups().create("retained", List.of(alice.endpoint()), true, keepThree);
        // bob is a member of the epoch the messages go to, but joins (accepts) only after the sweep
        alice.groups().add(g, c.node("bob").endpoint(), Permission.WRITE);
        long epoch = alice.groups().group(g).epoch();
        c.await("bob", () -> c.invited("bob", g), "bob gets the invite");
        for (int i = 1; i <= 6; i++) {
            assertThat(alice.groups().send(g, "m" + i, Cluster.STEP).name()).isEqualTo("STORED_BY_HOST");
        }
        List<Bytes> all = alice.groups().messages(g).stream().map(GroupMessageView::id).toList();
        assertThat(all).hasSize(6);

        try (StoreProbe aliceStore = StoreProbe.open(c.home("alice"))) {
            List<Bytes> tags = aliceStore.keys(g).stream().map(EpochKey::tag).toList();
            c.poll("alice", () -> aliceStore.hostEnvelopes(tags) == 3, SWEEP_WAIT,
                    "alice's retention sweep keeps the newest 3 envelopes");
        }

        c.node("bob").groups().accept(g);
        c.await("bob", () -> c.joinedWithKey("bob", g, epoch), "bob joins");
        c.await("bob", () -> c.texts("bob", g).contains("m6"), "bob reads the newest message");
        assertThat(c.texts("bob", g)).containsExactly("m4", "m5", "m6");
        assertThat(c.node("bob").groups().messages(g)).map(GroupMessageView::id).containsExactlyElementsOf(
                all.subList(3, 6));
        assertThat(c.texts("alice", g)).as("retention is the host's: alice's own history is whole")
                .containsExactly("m1", "m2", "m3", "m4", "m5", "m6");

        // and at the host itself, from the start: exactly those 3
        c.stop("bob");
        EpochKey key;
        try (StoreProbe bobStore = StoreProbe.open(c.home("bob"))) {
            key = bobStore.key(g, epoch);
        }
        try (RawHostClient raw = RawHostClient.dial(c.identity("bob"), alice.endpoint())) {
            List<HostedEnvelope> served = raw.fetchAll(List.of(WireCodec.bytes(key.tag())));
            assertThat(served).map(h -> GroupMessages.id(h.getEnvelope())).containsExactlyElementsOf(all.subList(3, 6));
        }
    }

    /**
     * Protocol §6/§8 and {@code ManagerRole.enforceRetention}: envelopes of epochs whose keys expired are deleted
     * at the managed host ("nobody can read them any more"). Two epochs end 0.7 s apart, so their keys expire in
     * different 500 ms maintenance sweeps.
     */
    @Test
    void retention_epochKeysExpired_envelopesDeletedAtHost() throws Exception {
        c = new Cluster(dir);
        Node alice = c.member("alice");
        GroupPolicy shortKeys = new GroupPolicy(Duration.ZERO, 0, Duration.ZERO,
                org.hearth.core.group.KeyCatchup.SINCE_JOIN, Duration.ofSeconds(1));
        GroupId g = alice.groups().create("short-keys", List.of(alice.endpoint()), true, shortKeys);
        alice.groups().send(g, "in epoch 0", Cluster.STEP);
        alice.groups().rotate(g);
        alice.groups().send(g, "in epoch 1", Cluster.STEP);
        Instant firstEnded = Instant.now();
        List<Bytes> tags;
        try (StoreProbe store = StoreProbe.open(c.home("alice"))) {
            tags = List.of(store.key(g, 0).tag(), store.key(g, 1).tag());
            assertThat(store.hostEnvelopes(tags)).isEqualTo(2);
        }
        // a time gap is the scenario here, not a synchronisation: the second epoch must end > 1 sweep later
        c.poll("alice", () -> Instant.now().isAfter(firstEnded.plusMillis(700)), Cluster.STEP, "0.7 s pass");
        alice.groups().rotate(g);
        c.await("alice", () -> alice.groups().heldKeyEpochs(g).equals(List.of(2L)),
                "the keys of epochs 0 and 1 expire at alice");

        try (StoreProbe store = StoreProbe.open(c.home("alice"))) {
            c.pollFor("alice", () -> store.hostEnvelopes(tags) == 0, Duration.ofSeconds(25));
            assertThat(List.of(store.hostEnvelopes(tags.subList(0, 1)), store.hostEnvelopes(tags.subList(1, 2))))
                    .as("envelopes left at alice's host under the expired epochs 0 and 1, 25 s after expiry"
                            + " (2+ retention sweeps)").containsExactly(0L, 0L);
        }
    }
}
