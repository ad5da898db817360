package org.hearth.node.managed;

import org.hearth.node.group.SendOutcome;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.hearth.core.chat.ChatOverlay;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.group.EpochKey;
import org.hearth.core.group.GroupId;
import org.hearth.core.group.GroupMessages;
import org.hearth.core.group.Permission;
import org.hearth.core.identity.Identity;
import org.hearth.core.wire.WireCodec;
import org.hearth.core.wire.proto.FetchResponse;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.hearth.core.wire.proto.HostError;
import org.hearth.core.wire.proto.HostedEnvelope;
import org.hearth.core.wire.proto.RelayResponse;
import org.hearth.node.Node;
import org.hearth.node.UserError;
import org.hearth.node.group.GroupAlarm;
import org.hearth.node.group.GroupRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bot-hosted group: alice's node manages the group and is its only host, and must enforce the signed state
 * itself. bob writes, carol only reads. The client-side check is shown first; then raw channels with bob's,
 * carol's and a stranger's identities bypass every client check, so each refusal seen there is the host's.
 */
@Timeout(120)
class ManagedHostTest {
    private static final RandomSource RANDOM = RandomSource.secure();

    @TempDir
    Path dir;
    private Cluster c;
    private GroupId g;
    private long bobAdded;
    private long carolAdded;

    @BeforeEach
    void aliceHostsAGroupWithWriterBobAndReaderCarol() throws Exception {
        c = new Cluster(dir);
        Node alice = c.member("alice");
        c.member("bob");
        c.member("carol");
        g = alice.groups().create("alice-hosted", List.of(alice.endpoint()), true, Cluster.IMMEDIATE);
        alice.groups().add(g, c.node("bob").endpoint(), Permission.WRITE);
        bobAdded = alice.groups().group(g).epoch();
        alice.groups().add(g, c.node("carol").endpoint(), Permission.READ);
        carolAdded = alice.groups().group(g).epoch();
        assertThat(carolAdded).as("with no minimum interval every add is its own epoch").isGreaterThan(bobAdded);
        for (String p : List.of("bob", "carol")) {
            c.await(p, () -> c.invited(p, g), p + " gets the invite");
            c.node(p).groups().accept(g);
        }
        for (String p : List.of("bob", "carol")) {
            c.await(p, () -> c.joinedWithKey(p, g, carolAdded), p + " joins");
        }
    }

    @AfterEach
    void close() {
        c.close();
    }

    @Test
    void send_writerAndReadOnlyMember_writerStoredReaderRefused() throws Exception {
        assertThatThrownBy(() -> c.node("carol").groups().send(g, "carol tries to post", Cluster.STEP))
                .isInstanceOf(UserError.class).hasMessage("not a writer of this group");

        // GroupService.send returns SendOutcome, a public enum of a package-private class: compare names
        assertThat(c.node("bob").groups().send(g, "bob writes", Cluster.STEP).name()).isEqualTo("STORED_BY_HOST");

        c.await("carol", () -> c.texts("carol", g).contains("bob writes"), "carol reads bob");
        assertThat(c.texts("carol", g)).containsExactly("bob writes");
    }

    @Test
    void relay_writerOnRawChannel_storedAndReadByMembers() throws Exception {
        c.stop("bob");
        EpochKey key;
        Identity bob = c.identity("bob");
        try (StoreProbe store = StoreProbe.open(c.home("bob"))) {
            key = store.key(g, carolAdded);
        }
        GroupEnvelope env = seal(bob, key, "bob, straight to the host");

        try (RawHostClient raw = RawHostClient.dial(bob, c.node("alice").endpoint())) {
            RelayResponse r = raw.relay(env);
            assertThat(r.hasError()).as("a current writer's relay is stored: %s", r.getError()).isFalse();
        }

        c.await("carol", () -> c.texts("carol", g).contains("bob, straight to the host"), "carol reads it");
    }

    @Test
    void relay_readOnlyMemberWithHeldKey_hostRefusesNotAWriter() throws Exception {
        c.node("bob").groups().send(g, "bob writes", Cluster.STEP);
        c.await("carol", () -> c.texts("carol", g).contains("bob writes"), "carol reads bob");
        c.stop("carol");
        Identity carol = c.identity("carol");
        EpochKey key;
        try (StoreProbe store = StoreProbe.open(c.home("carol"))) {
            key = store.key(g, carolAdded);
        }
        GroupEnvelope forged = seal(carol, key, "carol bypasses her client");

        try (RawHostClient raw = RawHostClient.dial(carol, c.node("alice").endpoint())) {
            RelayResponse r = raw.relay(forged);
            assertError(r.hasError(), r.getError(), HostError.Code.NOT_A_WRITER, "not a writer of this group");

            // she may still read her epoch at the host, and the refused envelope is not there
            FetchResponse f = raw.fetchOnce(List.of(tag(key)));
            assertThat(f.hasError()).as("carol reads her epoch: %s", f.getError()).isFalse();
            assertThat(opened(f, key)).containsExactly("bob writes");
            assertThat(f.getEnvelopesList()).map(HostedEnvelope::getEnvelope).doesNotContain(forged);
        }
    }

    @Test
    void relayAndFetch_stranger_refusedNotAWriterNotAReader() throws Exception {
        c.stop("carol");
        EpochKey key;
        try (StoreProbe store = StoreProbe.open(c.home("carol"))) {
            key = store.key(g, carolAdded);
        }
        // the stranger even has the key (a leak): the host still refuses, by who is asking
        Identity stranger = Identity.generate(RANDOM);

        try (RawHostClient raw = RawHostClient.dial(stranger, c.node("alice").endpoint())) {
            RelayResponse r = raw.relay(seal(stranger, key, "a stranger posts"));
            assertError(r.hasError(), r.getError(), HostError.Code.NOT_A_WRITER, "not a writer of this group");

            FetchResponse f = raw.fetchOnce(List.of(tag(key)));
            assertError(f.hasError(), f.getError(), HostError.Code.NOT_A_READER, "not a reader of this group");
            assertThat(f.getEnvelopesList()).isEmpty();
        }
    }

    @Test
    void fetch_epochBeforeMemberJoined_refusedNotAReader() throws Exception {
        c.stop("carol");
        EpochKey beforeCarol;
        // the manager made every key; read beside the running node
        try (StoreProbe store = StoreProbe.open(c.home("alice"))) {
            beforeCarol = store.key(g, bobAdded);
        }
        Identity carol = c.identity("carol");
        EpochKey carols;
        try (StoreProbe store = StoreProbe.open(c.home("carol"))) {
            carols = store.key(g, carolAdded);
            assertThat(store.keys(g)).map(EpochKey::epoch).as("since-join: carol has no earlier key")
                    .allMatch(e -> e >= carolAdded);
        }

        try (RawHostClient raw = RawHostClient.dial(carol, c.node("alice").endpoint())) {
            FetchResponse early = raw.fetchOnce(List.of(tag(beforeCarol)));
            assertError(early.hasError(), early.getError(), HostError.Code.NOT_A_READER,
                    "not a reader of this group in epoch " + bobAdded);
            assertThat(early.getEnvelopesList()).isEmpty();

            FetchResponse mixed = raw.fetchOnce(List.of(tag(carols), tag(beforeCarol)));
            assertThat(mixed.getError().getCode()).as("one forbidden tag refuses the whole fetch")
                    .isEqualTo(HostError.Code.NOT_A_READER);
            assertThat(mixed.getEnvelopesList()).isEmpty();

            FetchResponse own = raw.fetchOnce(List.of(tag(carols)));
            assertThat(own.hasError()).as("her own epoch: %s", own.getError()).isFalse();
        }
    }

    @Test
    void remove_writer_hostRefusesRemovedAndNoLaterKeys() throws Exception {
        Node alice = c.node("alice");
        c.node("bob").groups().send(g, "bob before removal", Cluster.STEP);
        alice.groups().remove(g, c.node("bob").address());
        long removal = alice.groups().group(g).epoch();

        c.await("bob", () -> c.node("bob").groups().group(g).status() == GroupRecord.Status.REMOVED,
                "bob learns he was removed");
        c.await("bob", () -> c.node("bob").groups().alarms(g).stream()
                .anyMatch(a -> a.kind().equals("fetch-refused") && a.detail().equals("removed from this group")),
                "bob's fetch is refused by the host, shown as an alarm");
        alice.groups().rotate(g);
        long later = alice.groups().group(g).epoch();
        assertThat(later).isGreaterThan(removal);
        c.await("carol", () -> c.joinedWithKey("carol", g, later), "carol gets the key after the rotation");
        assertThat(c.node("bob").groups().heldKeyEpochs(g)).as("bob holds no key from his removal on")
                .isNotEmpty().allMatch(e -> e < removal);
        assertThatThrownBy(() -> c.node("bob").groups().send(g, "bob after removal", Cluster.STEP))
                .isInstanceOf(UserError.class).hasMessage("removed from this group");

        c.stop("bob");
        Identity bob = c.identity("bob");
        EpochKey old;
        try (StoreProbe store = StoreProbe.open(c.home("bob"))) {
            assertThat(store.keys(g)).map(EpochKey::epoch).allMatch(e -> e < removal);
            old = store.key(g, removal - 1);
        }
        try (RawHostClient raw = RawHostClient.dial(bob, alice.endpoint())) {
            // within key retention bob still holds his old key and can make a valid envelope of that epoch
            RelayResponse r = raw.relay(seal(bob, old, "bob posts into his old epoch"));
            assertError(r.hasError(), r.getError(), HostError.Code.REMOVED, "removed from this group");

            FetchResponse f = raw.fetchOnce(List.of(tag(old)));
            assertError(f.hasError(), f.getError(), HostError.Code.REMOVED, "removed from this group");
            assertThat(f.getEnvelopesList()).isEmpty();
        }

        alice.groups().send(g, "after bob's attempt", Cluster.STEP);
        c.await("carol", () -> c.texts("carol", g).contains("after bob's attempt"), "carol reads alice");
        assertThat(c.texts("carol", g)).doesNotContain("bob posts into his old epoch");
        assertThat(c.texts("alice", g)).doesNotContain("bob posts into his old epoch");
        assertThat(c.node("alice").groups().alarms(g)).map(GroupAlarm::kind).doesNotContain("not-a-writer");
    }

    @Test
    void relay_writerDemotedToReader_hostRefusesNotAWriter() throws Exception {
        Node alice = c.node("alice");
        alice.groups().setPermission(g, c.node("bob").address(), Permission.READ);
        long demoted = alice.groups().group(g).epoch();
        c.await("bob", () -> c.joinedWithKey("bob", g, demoted), "bob gets the epoch that demotes him");
        assertThatThrownBy(() -> c.node("bob").groups().send(g, "bob still writing?", Cluster.STEP))
                .isInstanceOf(UserError.class).hasMessage("not a writer of this group");

        c.stop("bob");
        EpochKey key;
        try (StoreProbe store = StoreProbe.open(c.home("bob"))) {
            key = store.key(g, demoted);
        }
        try (RawHostClient raw = RawHostClient.dial(c.identity("bob"), alice.endpoint())) {
            RelayResponse r = raw.relay(seal(c.identity("bob"), key, "bob bypasses his demotion"));
            assertError(r.hasError(), r.getError(), HostError.Code.NOT_A_WRITER, "not a writer of this group");
            assertThat(raw.fetchOnce(List.of(tag(key))).hasError()).as("he still reads").isFalse();
        }
    }

    @Test
    void fetch_removedThenReadded_onlyEpochsAsMemberServed() throws Exception {
        Node alice = c.node("alice");
        alice.groups().remove(g, c.node("bob").address());
        long removed = alice.groups().group(g).epoch();
        c.await("bob", () -> c.node("bob").groups().group(g).status() == GroupRecord.Status.REMOVED, "bob removed");
        alice.groups().send(g, "while bob is out", Cluster.STEP);
        alice.groups().add(g, c.node("bob").endpoint(), Permission.WRITE);
        long readded = alice.groups().group(g).epoch();
        c.await("bob", () -> c.invited("bob", g), "bob is invited again");
        c.node("bob").groups().accept(g);
        c.await("bob", () -> c.joinedWithKey("bob", g, readded), "bob joins again");
        c.node("bob").groups().send(g, "bob is back", Cluster.STEP);
        c.await("carol", () -> c.texts("carol", g).contains("bob is back"), "carol reads bob again");
        assertThat(c.node("bob").groups().heldKeyEpochs(g)).doesNotContain(removed);
        assertThat(c.texts("bob", g)).doesNotContain("while bob is out");

        c.stop("bob");
        EpochKey out;
        EpochKey back;
        try (StoreProbe store = StoreProbe.open(c.home("alice"))) {
            out = store.key(g, removed);
            back = store.key(g, readded);
        }
        try (RawHostClient raw = RawHostClient.dial(c.identity("bob"), alice.endpoint())) {
            FetchResponse gap = raw.fetchOnce(List.of(tag(out)));
            assertError(gap.hasError(), gap.getError(), HostError.Code.NOT_A_READER,
                    "not a reader of this group in epoch " + removed);
            FetchResponse now = raw.fetchOnce(List.of(tag(back)));
            assertThat(now.hasError()).as("his new epoch: %s", now.getError()).isFalse();
            assertThat(opened(now, back)).containsExactly("bob is back");
        }
    }

    private static GroupEnvelope seal(Identity sender, EpochKey key, String text) {
        return GroupMessages.seal(sender, key, Instant.now(), List.of(), ChatOverlay.text(text), Optional.empty(),
                RANDOM);
    }

    private static ByteString tag(EpochKey k) {
        return WireCodec.bytes(k.tag());
    }

    private static List<String> opened(FetchResponse f, EpochKey key) throws Exception {
        List<String> out = new java.util.ArrayList<>();
        for (HostedEnvelope he : f.getEnvelopesList()) {
            out.add(GroupMessages.open(he.getEnvelope(), key).overlay().data());
        }
        return out;
    }

    private static void assertError(boolean present, HostError e, HostError.Code code, String message) {
        assertThat(present).as("the host refuses").isTrue();
        assertThat(e.getCode()).isEqualTo(code);
        assertThat(e.getMessage()).isEqualTo(message);
    }
}
