package org.hearth.node.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.bytes.SecretBytes;
import org.hearth.core.chat.ChatOverlay;
import org.hearth.core.crypto.CryptoException;
import org.hearth.core.crypto.PassphraseKdf;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.group.EpochKey;
import org.hearth.core.group.EquivocationProof;
import org.hearth.core.group.GroupChain;
import org.hearth.core.group.GroupId;
import org.hearth.core.group.GroupMessages;
import org.hearth.core.group.GroupPolicy;
import org.hearth.core.group.GroupUpdate;
import org.hearth.core.group.KeyCatchup;
import org.hearth.core.group.ManagerEngine;
import org.hearth.core.group.Permission;
import org.hearth.core.identity.HostPort;
import org.hearth.core.identity.Identity;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.hearth.core.wire.proto.GroupUpdateBody;
import org.hearth.core.wire.proto.HostError;
import org.hearth.core.wire.proto.SignedUpdate;
import org.hearth.node.Node;
import org.hearth.node.NodeConfig;
import org.hearth.node.NodeHome;
import org.hearth.node.UserError;
import org.hearth.node.group.GroupAlarm;
import org.hearth.node.group.GroupProof;
import org.hearth.node.group.GroupRecord;
import org.hearth.node.testkit.RawPeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * R4 adversarial summary (docs/reliability.md): the attacks of issue 7, each tried for real and each asserted
 * refused or detected, with a table of what was tried written to {@code target/reliability/adversarial.md} (and
 * printed). The group rules are tried on the pure protocol ({@link GroupChain}, {@link GroupMessages},
 * {@link EquivocationProof}); the same attacks and the managed host's checks are then tried against real
 * in-process nodes on loopback: alice manages and hosts a group, bob writes, carol reads, dave is a stranger.
 * Hostile traffic comes from {@link RawPeer}s speaking the protocol with a node's own identity key (the node
 * itself is stopped meanwhile, so its channel does not compete), i.e. a modified client. Waits follow the
 * nodes' change counters; nothing sleeps.
 */
class AdversarialSummaryTest {
    private static final char[] PASSPHRASE = "adversarial passphrase".toCharArray();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final GroupPolicy IMMEDIATE = new GroupPolicy(Duration.ZERO, 0, Duration.ZERO, KeyCatchup.SINCE_JOIN,
            Duration.ofDays(7));

    @TempDir
    Path dir;

    private final RandomSource random = RandomSource.secure();
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Map<String, Identity> identities = new LinkedHashMap<>();
    private final List<Row> rows = new ArrayList<>();
    private final ModifiedClient client = new ModifiedClient(random, WAIT);

    /** One line of the table. */
    private record Row(String attack, String how, String outcome, boolean refused) {
    }

    @AfterEach
    void closeAll() {
        List<Node> open = new ArrayList<>(nodes.values());
        nodes.clear();
        open.forEach(Node::close);
    }

    @Test
    void attacks_eachRefusedOrDetected_tableWritten() throws Exception {
        try {
            pureProtocol();
            nodes();
        } finally {
            writeTable();
        }
        assertThat(rows).as("attacks tried").hasSizeGreaterThanOrEqualTo(18);
        assertThat(rows.stream().filter(r -> !r.refused()).map(Row::attack).toList())
                .as("attacks that were not refused").isEmpty();
    }

    // ---- the group rules, on the pure protocol ----

    private void pureProtocol() throws Exception {
        Identity manager = Identity.generate(random);
        Identity alice = Identity.generate(random);
        Identity bob = Identity.generate(random);
        Identity outsider = Identity.generate(random);
        Instant t0 = Instant.parse("2025-01-01T00:00:00Z");
        ManagerEngine.Step s0 = ManagerEngine.create(manager, GroupId.random(random), "core", Map.of(alice.address(),
                Permission.WRITE, bob.address(), Permission.WRITE), List.of(), IMMEDIATE, t0, random);
        ManagerEngine.Step s1 = ManagerEngine.tick(s0.session().requestRotation(), manager, t0.plusSeconds(1), random);
        GroupChain.Head head = s1.session().head();
        GroupUpdate genesis = s0.issued().orElseThrow().update();
        GroupUpdate epoch1 = s1.issued().orElseThrow().update();
        EpochKey key = new EpochKey(head.state().id(), 1, epoch1.hash(), s1.issued().orElseThrow().key());

        GroupUpdateBody nextBody = GroupUpdateBody.newBuilder().setGroupId(bs(head.state().id().bytes())).setEpoch(2)
                .setPrevHash(bs(epoch1.hash())).setStateDigest(bs(head.state().digest()))
                .addChanges(ManagerEngine.remove(alice.address())).setTimeMs(t0.plusSeconds(2).toEpochMilli()).build();
        GroupChain.Verdict forged = GroupChain.apply(head, GroupUpdate.sign(outsider, nextBody), e -> Optional.empty());
        row("forged update", "core: next update signed by an outsider's key, applied with GroupChain.apply",
                verdict(forged), refusal(forged, GroupChain.Refusal.FORGED));
        GroupChain.Verdict fromMember = GroupChain.apply(head, GroupUpdate.sign(bob, nextBody), e -> Optional.empty());
        row("update from a non-manager", "core: member bob signs an update removing alice",
                verdict(fromMember), refusal(fromMember, GroupChain.Refusal.FORGED));
        GroupChain.Verdict replayed = GroupChain.apply(head, genesis, e -> e == 0 ? Optional.of(genesis) : Optional.empty());
        row("replayed update", "core: the manager's genuine genesis update delivered again at epoch 1",
                verdict(replayed), refusal(replayed, GroupChain.Refusal.REPLAYED));

        GroupEnvelope sealed = GroupMessages.seal(alice, key, t0, List.of(), ChatOverlay.text("pay bob 5"),
                Optional.empty(), random);
        byte[] ct = sealed.getCiphertext().toByteArray();
        ct[ct.length / 2] ^= 0x01;
        String tampered = openOutcome(sealed.toBuilder().setCiphertext(ByteString.copyFrom(ct)).build(), key);
        row("tampered ciphertext", "core: one ciphertext bit flipped, opened with the epoch key", tampered,
                tampered.startsWith("CryptoException"));
        String forgedSender = openOutcome(client.sealWithClaimedSender(bob, alice, key, "alice says: pay bob"), key);
        row("forging another member's message", "core: bob signs a body naming alice as sender", forgedSender,
                forgedSender.startsWith("CryptoException"));

        GroupUpdate other = GroupUpdate.sign(manager, GroupUpdateBody.parseFrom(epoch1.signed().getBody()).toBuilder()
                .setTimeMs(42).build());
        GroupChain.Verdict equivocated = GroupChain.apply(head, other, e -> Optional.empty());
        boolean proofChecks = false;
        if (equivocated instanceof GroupChain.Equivocated e) {
            EquivocationProof.verify(manager.address(), e.proof().first().signed(), e.proof().second().signed());
            proofChecks = true;
        }
        row("manager equivocation", "core: the manager signs a second, different update for epoch 1",
                verdict(equivocated) + (proofChecks ? "; EquivocationProof.verify accepts the proof" : ""),
                proofChecks);
    }

    // ---- real nodes ----

    private void nodes() throws Exception {
        Node alice = start("alice");
        Node bob = start("bob");
        Node carol = start("carol");
        Identity dave = Identity.generate(random);
        GroupId g = alice.groups().create("adversarial", List.of(alice.endpoint()), true, IMMEDIATE);
        alice.groups().add(g, bob.endpoint(), Permission.WRITE);
        alice.groups().add(g, carol.endpoint(), Permission.READ);
        for (String p : List.of("bob", "carol")) {
            await(p, () -> node(p).groups().invites().stream().anyMatch(i -> i.id().equals(g)), p + " is invited");
            node(p).groups().accept(g);
        }
        long joined = alice.groups().group(g).epoch();
        for (String p : List.of("bob", "carol")) {
            await(p, () -> node(p).groups().group(g).status() == GroupRecord.Status.JOINED
                    && node(p).groups().heldKeyEpochs(g).contains(joined), p + " joins with the key of epoch " + joined);
        }
        bob.groups().send(g, "hello from bob", WAIT);
        await("carol", () -> texts("carol", g).contains("hello from bob"), "carol reads bob");

        String clientRefusal;
        try {
            carol.groups().send(g, "carol tries to post", WAIT);
            clientRefusal = "sent (not refused)";
        } catch (UserError e) {
            clientRefusal = "UserError: " + e.getMessage();
        }
        row("non-writer relay (own client)", "node: reader carol posts through her unmodified node", clientRefusal,
                clientRefusal.contains("not a writer"));

        hostileMessagesThroughTheHost(g);
        nonWriterAtTheHost(g, dave);
        removedMember(g);
        hostileDeliveries(g, dave);
    }

    /** Bob, a writer with a modified client, relays a tampered envelope and one naming alice as its sender. */
    private void hostileMessagesThroughTheHost(GroupId g) throws Exception {
        EpochKey bobKey = stopAndReadLatestKey("bob", g);
        int badBefore = alarms("carol", g, "bad-message");
        try (RawPeer bob = RawPeer.dial(node("alice").endpoint(), identities.get("bob"))) {
            GroupEnvelope genuine = GroupMessages.seal(identities.get("bob"), bobKey, Instant.now(), List.of(),
                    ChatOverlay.text("tampered text"), Optional.empty(), random);
            byte[] ct = genuine.getCiphertext().toByteArray();
            ct[ct.length - 1] ^= 0x01;
            String tamperedAtHost = client.relay(bob, genuine.toBuilder().setCiphertext(ByteString.copyFrom(ct)).build());
            String forgedAtHost = client.relay(bob, client.sealWithClaimedSender(identities.get("bob"), identities.get("alice"), bobKey,
                    "forged text"));
            String barrier = client.relay(bob, GroupMessages.seal(identities.get("bob"), bobKey, Instant.now(), List.of(),
                    ChatOverlay.text("barrier"), Optional.empty(), random));
            assertThat(barrier).isEqualTo("stored");
            // carol fetches in seq order: once the later barrier is hers, both hostile envelopes were handled
            await("carol", () -> texts("carol", g).contains("barrier"), "carol reads the barrier after both");
            int bad = alarms("carol", g, "bad-message") - badBefore;
            List<String> texts = texts("carol", g);
            row("tampered ciphertext", "node: bob relays a bit-flipped envelope to the managed host; carol fetches",
                    "host: " + tamperedAtHost + " (it cannot read envelopes); carol: " + bad
                            + " bad-message alarms for this and the next envelope, text shown: "
                            + texts.contains("tampered text"),
                    bad >= 1 && !texts.contains("tampered text"));
            row("forging another member's message", "node: bob relays a message naming alice as sender, signed by bob",
                    "host: " + forgedAtHost + "; carol: bad-message alarm (\"" + lastAlarmDetail("carol", g, "bad-message")
                            + "\"), shown as alice's: " + texts.contains("forged text"),
                    bad >= 2 && !texts.contains("forged text"));
        }
        restart("bob");
    }

    /** A reader with a modified client, and a stranger, relay and fetch at the managed host directly. */
    private void nonWriterAtTheHost(GroupId g, Identity dave) throws Exception {
        EpochKey carolKey = stopAndReadLatestKey("carol", g);
        GroupEnvelope post = GroupMessages.seal(identities.get("carol"), carolKey, Instant.now(), List.of(),
                ChatOverlay.text("carol posts anyway"), Optional.empty(), random);
        try (RawPeer carol = RawPeer.dial(node("alice").endpoint(), identities.get("carol"))) {
            String relayed = client.relay(carol, post);
            row("non-writer relay", "managed host: reader carol relays a well-formed message she sealed and signed",
                    relayed, relayed.startsWith(HostError.Code.NOT_A_WRITER.name()));
            String fetched = client.fetch(carol, carolKey.tag());
            row("(control) reader fetch", "managed host: carol fetches her own epoch", fetched,
                    fetched.startsWith("served"));
        }
        try (RawPeer stranger = RawPeer.dial(node("alice").endpoint(), dave)) {
            String relayed = client.relay(stranger, post);
            row("non-member relay", "managed host: stranger dave relays an envelope under the group's tag", relayed,
                    relayed.startsWith(HostError.Code.NOT_A_WRITER.name()));
            String fetched = client.fetch(stranger, carolKey.tag());
            row("non-member fetch", "managed host: stranger dave fetches under the group's tag", fetched,
                    fetched.startsWith(HostError.Code.NOT_A_READER.name()));
        }
        restart("carol");
    }

    /** Alice removes bob; his node's fetches are refused, and so are his modified client's relays and fetches. */
    private void removedMember(GroupId g) throws Exception {
        Node alice = node("alice");
        alice.groups().remove(g, identities.get("bob").address());
        await("bob", () -> node("bob").groups().group(g).status() == GroupRecord.Status.REMOVED, "bob learns he is removed");
        await("bob", () -> alarms("bob", g, "fetch-refused") > 0, "bob's fetch is refused");
        GroupAlarm refusedFetch = node("bob").groups().alarms(g).stream().filter(a -> a.kind().equals("fetch-refused"))
                .findFirst().orElseThrow();
        row("removed member at fetch (own client)", "managed host: bob's unmodified node keeps fetching after removal",
                "fetch-refused alarm: \"" + refusedFetch.detail() + "\"", refusedFetch.detail().contains("removed"));
        EpochKey oldKey = stopAndReadLatestKey("bob", g);
        try (RawPeer bob = RawPeer.dial(alice.endpoint(), identities.get("bob"))) {
            String fetched = client.fetch(bob, oldKey.tag());
            row("removed member at fetch", "managed host: removed bob fetches epoch " + oldKey.epoch()
                    + " (one he belonged to) with a modified client", fetched,
                    fetched.startsWith(HostError.Code.REMOVED.name()));
            String relayed = client.relay(bob, GroupMessages.seal(identities.get("bob"), oldKey, Instant.now(), List.of(),
                    ChatOverlay.text("bob after removal"), Optional.empty(), random));
            row("removed member at relay", "managed host: removed bob relays into epoch " + oldKey.epoch()
                    + " with the key he kept", relayed, relayed.startsWith(HostError.Code.REMOVED.name()));
        }
    }

    /**
     * Update deliveries to carol from a modified client holding the manager's own key (so alice's node is stopped),
     * and from a stranger.
     */
    private void hostileDeliveries(GroupId g, Identity dave) throws Exception {
        Node carol = node("carol");
        await("carol", () -> carol.groups().group(g).epoch() == node("alice").groups().group(g).epoch(),
                "carol holds the manager's head");
        stop("alice");
        GroupChain.Head head = carol.groups().group(g).head().orElseThrow();
        GroupUpdateBody next = GroupUpdateBody.newBuilder().setGroupId(bs(g.bytes())).setEpoch(head.epoch() + 1)
                .setPrevHash(bs(head.update().hash())).setStateDigest(bs(head.state().digest()))
                .addChanges(ManagerEngine.setPermission(identities.get("carol").address(), Permission.WRITE))
                .setTimeMs(Instant.now().toEpochMilli()).build();
        Identity manager = identities.get("alice");
        try (RawPeer asManager = RawPeer.dial(carol.endpoint(), manager)) {
            int before = alarms("carol", g, "refused-forged");
            client.deliver(asManager, GroupUpdate.sign(dave, next).signed());
            long epoch = carol.groups().group(g).epoch();
            row("forged update", "node: over the manager's own channel, the next update signed by stranger dave",
                    "refused-forged alarms +" + (alarms("carol", g, "refused-forged") - before) + "; epoch stays "
                            + epoch, alarms("carol", g, "refused-forged") > before && epoch == head.epoch());

            List<Long> keysBefore = carol.groups().heldKeyEpochs(g);
            client.deliver(asManager, head.update().signed());
            GroupRecord after = carol.groups().group(g);
            row("replayed update", "node: the manager's genuine update for carol's current epoch " + head.epoch()
                    + " delivered again", "no change: epoch " + after.epoch() + ", same head "
                            + after.head().orElseThrow().update().hash().equals(head.update().hash()) + ", keys unchanged "
                            + carol.groups().heldKeyEpochs(g).equals(keysBefore),
                    after.epoch() == head.epoch() && after.head().orElseThrow().update().hash().equals(head.update().hash())
                            && carol.groups().heldKeyEpochs(g).equals(keysBefore));

            GroupUpdate second = GroupUpdate.sign(manager, GroupUpdateBody.parseFrom(head.update().signed().getBody())
                    .toBuilder().setTimeMs(1).build());
            client.deliver(asManager, second.signed());
            List<GroupProof> proofs = carol.groups().proofs(g);
            boolean checks = false;
            if (!proofs.isEmpty()) {
                GroupProof p = proofs.getFirst();
                EquivocationProof.verify(p.manager(), SignedUpdate.parseFrom(p.first()), SignedUpdate.parseFrom(p.second()));
                checks = true;
            }
            row("manager equivocation", "node: the manager's key signs a second update for epoch " + head.epoch()
                    + ", sent to carol alone", proofs.size() + " proof(s) stored, equivocation alarm "
                            + (alarms("carol", g, "equivocation") > 0) + ", proof verifies offline " + checks,
                    checks && alarms("carol", g, "equivocation") > 0 && carol.groups().group(g).epoch() == head.epoch());
        }
        try (RawPeer stranger = RawPeer.dial(carol.endpoint(), dave)) {
            int before = alarms("carol", g, "refused-forged");
            client.deliver(stranger, GroupUpdate.sign(dave, next).signed());
            row("update from a non-manager", "node: stranger dave delivers an update he signed to carol",
                    "refused-forged alarms +" + (alarms("carol", g, "refused-forged") - before) + "; epoch stays "
                            + carol.groups().group(g).epoch(),
                    alarms("carol", g, "refused-forged") > before && carol.groups().group(g).epoch() == head.epoch());
        }
    }

    private static String openOutcome(GroupEnvelope e, EpochKey key) {
        try {
            GroupMessages.Opened m = GroupMessages.open(e, key);
            return "opened as " + m.sender().scrubbed() + ": " + m.overlay().data();
        } catch (CryptoException | MalformedMessageException ex) {
            return ex.getClass().getSimpleName() + ": " + ex.getMessage();
        }
    }

    private static String verdict(GroupChain.Verdict v) {
        return switch (v) {
            case GroupChain.Accepted a -> "ACCEPTED at epoch " + a.head().epoch();
            case GroupChain.Refused r -> "refused " + r.reason() + " (" + r.detail() + ")";
            case GroupChain.Equivocated e -> "equivocation detected: proof for epoch " + e.proof().epoch();
        };
    }

    private static boolean refusal(GroupChain.Verdict v, GroupChain.Refusal wanted) {
        return v instanceof GroupChain.Refused r && r.reason() == wanted;
    }

    private void row(String attack, String how, String outcome, boolean refused) {
        rows.add(new Row(attack, how, outcome, refused));
    }

    private void writeTable() throws IOException {
        StringBuilder md = new StringBuilder("# R4 adversarial summary\n\n")
                .append("Written by `AdversarialSummaryTest` (node module) on ").append(Instant.now()).append(".\n\n")
                .append("| # | attack | how | outcome | refused / detected |\n|---|---|---|---|---|\n");
        int i = 1;
        for (Row r : rows) {
            md.append("| ").append(i++).append(" | ").append(cell(r.attack())).append(" | ").append(cell(r.how()))
                    .append(" | ").append(cell(r.outcome())).append(" | ").append(r.refused() ? "yes" : "**NO**")
                    .append(" |\n");
        }
        long refused = rows.stream().filter(Row::refused).count();
        md.append("\n").append(refused).append(" of ").append(rows.size()).append(" refused or detected.\n");
        Path out = Path.of(System.getProperty("basedir", "."), "target", "reliability");
        Files.createDirectories(out);
        Files.writeString(out.resolve("adversarial.md"), md);
        System.out.println(md);
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    // ---- nodes ----

    private Node start(String name) throws Exception {
        Path home = dir.resolve(name);
        if (!NodeHome.exists(home)) {
            identities.put(name, NodeHome.init(home, PASSPHRASE, name, random, PassphraseKdf.FAST));
        }
        Node n = Node.start(NodeConfig.of(home, PASSPHRASE, new HostPort("127.0.0.1", ports.getOrDefault(name, 0)))
                .withRoles(NodeConfig.Roles.MEMBER));
        ports.put(name, n.endpoint().port());
        nodes.put(name, n);
        return n;
    }

    private void stop(String name) {
        nodes.remove(name).close();
    }

    private void restart(String name) throws Exception {
        start(name);
    }

    /** Stops the node and reads, from its own store, the key of the latest epoch it holds: what its owner has. */
    private EpochKey stopAndReadLatestKey(String name, GroupId g) throws Exception {
        stop(name);
        NodeHome.Opened home = NodeHome.open(dir.resolve(name), PASSPHRASE);
        try {
            List<EpochKey> keys = home.db().read(tx -> tx.query(
                    "SELECT epoch, update_hash, key FROM group_keys WHERE group_id = ? ORDER BY epoch",
                    rs -> new EpochKey(g, rs.getLong(1), Bytes.wrap(rs.getBytes(2)), SecretBytes.adopt(rs.getBytes(3))),
                    g.bytes()));
            assertThat(keys).as(name + " holds keys").isNotEmpty();
            return keys.getLast();
        } finally {
            home.close();
        }
    }

    private Node node(String name) {
        Node n = nodes.get(name);
        if (n == null) {
            throw new AssertionError(name + " is not running");
        }
        return n;
    }

    private List<String> texts(String name, GroupId g) {
        return node(name).groups().messages(g).stream().map(m -> m.text()).toList();
    }

    private int alarms(String name, GroupId g, String kind) {
        return (int) node(name).groups().alarms(g).stream().filter(a -> a.kind().equals(kind)).count();
    }

    private String lastAlarmDetail(String name, GroupId g, String kind) {
        return node(name).groups().alarms(g).stream().filter(a -> a.kind().equals(kind)).map(GroupAlarm::detail)
                .reduce((a, b) -> b).orElse("");
    }

    private void await(String who, BooleanSupplier condition, String what) throws InterruptedException {
        if (!node(who).changes().awaitCondition(condition, WAIT)) {
            throw new AssertionError("timed out after " + WAIT.toSeconds() + " s waiting for: " + what);
        }
    }

    private static ByteString bs(Bytes b) {
        return ByteString.copyFrom(b.toByteArray());
    }
}
