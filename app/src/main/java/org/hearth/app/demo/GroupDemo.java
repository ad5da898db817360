package org.hearth.app.demo;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.hearth.core.crypto.PassphraseKdf;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.group.GroupId;
import org.hearth.core.group.GroupPolicy;
import org.hearth.core.group.KeyCatchup;
import org.hearth.core.group.Permission;
import org.hearth.core.identity.HostPort;
import org.hearth.node.Node;
import org.hearth.node.NodeConfig;
import org.hearth.node.NodeHome;
import org.hearth.node.group.GroupRecord;

/**
 * The managed-group story (Goal 1): an untrusted host, a manager bot and four members on loopback, each a
 * real node with its own encrypted store. Every wait is on the nodes' change notifications.
 */
final class GroupDemo {
    /** No scheduled rotation and no minimum interval, so every change is a new epoch at once. */
    private static final GroupPolicy IMMEDIATE = new GroupPolicy(Duration.ZERO, 0, Duration.ZERO, KeyCatchup.SINCE_JOIN,
            Duration.ofDays(7));
    private final PrintWriter out;
    private final Path dir;
    private final char[] passphrase;
    private final RandomSource random = RandomSource.secure();
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final DemoTransport transport;
    private final Duration step;

    GroupDemo(PrintWriter out, Path dir, char[] passphrase, DemoTransport transport) {
        this.out = out;
        this.dir = dir;
        this.passphrase = passphrase;
        this.transport = transport;
        this.step = transport.stepTimeout();
    }

    boolean run() throws Exception {
        try {
            return story();
        } finally {
            nodes.values().forEach(Node::close);
        }
    }

    private boolean story() throws Exception {
        say("");
        say("Managed groups: a manager bot keeps the members and the key; an untrusted host keeps ciphertexts.");
        Node host = start("host", NodeConfig.Roles.HOST);
        Node bot = start("bot", NodeConfig.Roles.MEMBER);
        List<String> people = List.of("alice", "bob", "carol", "dave");
        for (String p : people) {
            start(p, NodeConfig.Roles.MEMBER);
        }
        GroupId g = bot.groups().create("hearth-demo", List.of(host.endpoint()), false, IMMEDIATE);
        say("1. the bot created group " + g.hex().substring(0, 12) + "… hosted by a node that only stores envelopes.");
        for (String p : people) {
            bot.groups().add(g, node(p).endpoint(), Permission.WRITE);
        }
        for (String p : people) {
            await(p, () -> node(p).groups().invites().stream().anyMatch(i -> i.id().equals(g)), p + " gets an invite");
            node(p).groups().accept(g);
        }
        long epoch = bot.groups().group(g).epoch();
        for (String p : people) {
            await(p, () -> joinedWithKey(p, g, epoch), p + " joins and gets the key");
        }
        say("2. four members were invited (signed invites, no key inside), accepted, and got epoch " + epoch
                + "'s key over their own channels.");

        node("alice").groups().send(g, "hello everyone, this is alice", step);
        for (String p : List.of("bob", "carol", "dave")) {
            await(p, () -> hasText(p, g, "hello everyone, this is alice"), p + " reads alice");
        }
        say("3. alice posted; the host filed it under a routing tag it cannot link to the group; all read it.");

        bot.groups().remove(g, node("dave").address());
        long afterRemove = bot.groups().group(g).epoch();
        await("dave", () -> node("dave").groups().group(g).status() == GroupRecord.Status.REMOVED, "dave learns removal");
        for (String p : List.of("alice", "bob", "carol")) {
            await(p, () -> joinedWithKey(p, g, afterRemove), p + " gets the new key");
        }
        node("alice").groups().send(g, "dave is gone; only we can read this", step);
        await("bob", () -> hasText("bob", g, "dave is gone; only we can read this"), "bob reads it");
        boolean daveBlind = !hasText("dave", g, "dave is gone; only we can read this")
                && !node("dave").groups().heldKeyEpochs(g).contains(afterRemove);
        say("4. the bot removed dave: epoch " + afterRemove + " has a key dave never got. dave cannot read the next"
                + " message: " + daveBlind);

        stop("carol");
        node("bob").groups().send(g, "carol, you missed this (1)", step);
        bot.groups().rotate(g);
        long rotated = bot.groups().group(g).epoch();
        await("bob", () -> joinedWithKey("bob", g, rotated), "bob gets the rotated key");
        node("bob").groups().send(g, "carol, you missed this too (2)", step);
        say("5. carol went offline; bob posted twice across a key rotation (epoch " + rotated + ").");
        start("carol", NodeConfig.Roles.MEMBER);
        await("carol", () -> hasText("carol", g, "carol, you missed this (1)")
                && hasText("carol", g, "carol, you missed this too (2)"), "carol catches up");
        long copies = node("carol").groups().messages(g).stream()
                .filter(m -> m.text().startsWith("carol, you missed")).count();
        say("   carol came back: the bot's queued deliveries gave her the missed keys (policy since-join),"
                + " and she read both messages, " + copies + " copies in all.");

        bot.groups().setPolicy(g, new GroupPolicy(Duration.ofSeconds(2), 0, Duration.ZERO, KeyCatchup.SINCE_JOIN,
                Duration.ofDays(7)));
        long before = bot.groups().group(g).epoch();
        await("bot", () -> bot.groups().group(g).epoch() >= before + 2, "a scheduled rotation");
        say("6. with rotate-every 2s the bot rotated on its own: epoch " + before + " -> "
                + bot.groups().group(g).epoch() + ".");

        SplitAttempt.run(bot, node("bob"), g, transport.factory(), dir.resolve("rogue"));
        await("bob", () -> node("bob").groups().alarms(g).stream().anyMatch(a -> a.kind().equals("equivocation")),
                "bob detects the split");
        say("7. a misbehaving bot signed a second, different update for an epoch and sent it to bob only;"
                + " bob kept both signatures as a proof anyone can check: "
                + node("bob").groups().proofs(g).size() + " proof(s).");
        return daveBlind && copies == 2 && hosted(host);
    }

    /** Goal 3: a group hosted by its manager, which enforces permissions; then moved between hosts. */
    private boolean hosted(Node host) throws Exception {
        say("");
        say("Bot-hosted groups: alice's own node manages and hosts a group, and enforces who may post and read.");
        Node alice = node("alice");
        GroupId g = alice.groups().create("alice-hosted", List.of(alice.endpoint()), true, IMMEDIATE);
        alice.groups().add(g, node("bob").endpoint(), Permission.WRITE);
        alice.groups().add(g, node("carol").endpoint(), Permission.READ);
        for (String p : List.of("bob", "carol")) {
            await(p, () -> node(p).groups().invites().stream().anyMatch(i -> i.id().equals(g)), p + " gets an invite");
            node(p).groups().accept(g);
        }
        long epoch = alice.groups().group(g).epoch();
        for (String p : List.of("bob", "carol")) {
            await(p, () -> joinedWithKey(p, g, epoch), p + " joins");
        }
        node("bob").groups().send(g, "bob here, writing to alice's group", step);
        await("carol", () -> hasText("carol", g, "bob here, writing to alice's group"), "carol reads bob");
        String refusal;
        try {
            node("carol").groups().send(g, "carol tries to post", step);
            refusal = "(not refused!)";
        } catch (org.hearth.node.UserError e) {
            refusal = e.getMessage();
        }
        say("8. bob (writer) posted and carol (reader) read it; carol's own post was refused: \"" + refusal + "\"");

        alice.groups().remove(g, node("bob").address());
        await("bob", () -> node("bob").groups().alarms(g).stream().anyMatch(a -> a.kind().equals("fetch-refused")),
                "bob's fetch is refused");
        String bobAlarm = node("bob").groups().alarms(g).stream().filter(a -> a.kind().equals("fetch-refused"))
                .findFirst().orElseThrow().detail();
        say("9. alice removed bob; alice's host now refuses his fetches: \"" + bobAlarm + "\"");

        alice.groups().move(g, List.of(host.endpoint()));
        await("carol", () -> node("carol").groups().group(g).head().orElseThrow().state().hosts()
                .contains(host.endpoint()), "carol follows the move");
        node("alice").groups().send(g, "we moved to the untrusted host", step);
        await("carol", () -> hasText("carol", g, "we moved to the untrusted host"), "carol reads after the move");
        alice.groups().move(g, List.of(alice.endpoint()));
        await("carol", () -> node("carol").groups().group(g).head().orElseThrow().state().hosts()
                .contains(alice.endpoint()), "carol follows the move back");
        node("alice").groups().send(g, "and back home", step);
        await("carol", () -> hasText("carol", g, "and back home"), "carol reads after moving back");
        List<String> texts = node("carol").groups().messages(g).stream().map(m -> m.text()).toList();
        boolean once = texts.size() == new java.util.HashSet<>(texts).size();
        say("10. alice moved the group to the untrusted host and back; carol kept reading, and her history has "
                + texts.size() + " messages, each once: " + once);
        return refusal.contains("not a writer") && once;
    }

    private boolean joinedWithKey(String p, GroupId g, long epoch) {
        var groups = node(p).groups();
        return groups.groups().stream().anyMatch(r -> r.id().equals(g) && r.status() == GroupRecord.Status.JOINED
                && r.epoch() >= epoch) && groups.heldKeyEpochs(g).contains(epoch);
    }

    private boolean hasText(String p, GroupId g, String text) {
        return node(p).groups().messages(g).stream().anyMatch(m -> m.text().equals(text));
    }

    private Node start(String name, NodeConfig.Roles roles) throws Exception {
        Path home = dir.resolve(name);
        if (!NodeHome.exists(home)) {
            NodeHome.init(home, passphrase, name, random, PassphraseKdf.FAST);
        }
        int port = transport.restartPort(ports.getOrDefault(name, 0));
        Node n = Node.start(NodeConfig.of(home, passphrase, new HostPort("127.0.0.1", port)).withRoles(roles)
                .withTransport(transport.factory()));
        ports.put(name, n.endpoint().port());
        nodes.put(name, n);
        return n;
    }

    private void stop(String name) {
        nodes.remove(name).close();
    }

    private Node node(String name) {
        return nodes.get(name);
    }

    private void await(String who, BooleanSupplier condition, String what) throws InterruptedException {
        if (!node(who).changes().awaitCondition(condition, step)) {
            throw new IllegalStateException("demo step timed out: " + what);
        }
    }

    private void say(String line) {
        out.println(line);
        out.flush();
    }

}
