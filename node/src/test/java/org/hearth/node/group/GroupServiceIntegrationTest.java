package org.hearth.node.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.hearth.core.crypto.PassphraseKdf;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.group.GroupId;
import org.hearth.core.group.GroupPolicy;
import org.hearth.core.group.KeyCatchup;
import org.hearth.core.group.Permission;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.HostPort;
import org.hearth.node.Node;
import org.hearth.node.NodeConfig;
import org.hearth.node.NodeHome;
import org.hearth.node.UserError;
import org.hearth.node.chat.ChatMessage;
import org.hearth.node.contacts.ContactStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Managed groups across real in-process nodes (own encrypted store, own TCP listener on loopback): an untrusted
 * host, a manager bot and members. Every wait is on a node's change counter, bounded; nothing sleeps.
 */
class GroupServiceIntegrationTest {
    private static final char[] PASSPHRASE = "integration passphrase".toCharArray();
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** How soon after a host's outage its members must be served again: above the 15 s redial backoff cap. */
    private static final Duration HOST_RETURN = Duration.ofSeconds(20);
    /** For what needs a sweep (500 ms) and a fetch round trip on loopback; well under the 20 s long poll. */
    private static final Duration PROMPT = Duration.ofSeconds(10);
    /** Rotations are immediate: each change or rotate request starts the next epoch at once. */
    private static final GroupPolicy IMMEDIATE = policy(KeyCatchup.SINCE_JOIN, Duration.ofDays(7));

    @TempDir
    Path dir;

    private final RandomSource random = RandomSource.secure();
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, Integer> ports = new LinkedHashMap<>();

    @AfterEach
    void closeAll() {
        List<Node> open = new ArrayList<>(nodes.values());
        nodes.clear();
        open.forEach(Node::close);
    }

    @Test
    void send_readOnlyMember_refusedAsNotAWriter() throws Exception {
        startHostAndBot();
        start("reader", NodeConfig.Roles.MEMBER);
        start("writer", NodeConfig.Roles.MEMBER);
        GroupId g = group(IMMEDIATE, Map.of("reader", Permission.READ, "writer", Permission.WRITE));

        assertThat(node("reader").groups().group(g).permission()).isEqualTo(Permission.READ);
        assertThatThrownBy(() -> node("reader").groups().send(g, "may I?", WAIT))
                .isInstanceOf(UserError.class).hasMessageContaining("not a writer");
        assertThat(node("reader").groups().messages(g)).isEmpty();

        // the reader still reads: its membership works, only posting is refused
        node("writer").groups().send(g, "readers read", WAIT);
        await("reader", () -> texts("reader", g).contains("readers read"), "the reader reads the writer");
        assertThat(texts("reader", g)).containsExactly("readers read");
    }

    @Test
    void create_withInitialMembers_oneEpochInvitesDeliveredEachJoinsWithItsPermission() throws Exception {
        startHostAndBot();
        Node writer = start("writer", NodeConfig.Roles.MEMBER);
        Node reader = start("reader", NodeConfig.Roles.MEMBER);
        Node bot = node("bot");

        GroupId g = bot.groups().create("founded", List.of(node("host").endpoint()), false, IMMEDIATE, List.of(
                new GroupService.InitialMember(writer.endpoint(), Permission.WRITE),
                new GroupService.InitialMember(reader.endpoint(), Permission.READ)));

        GroupRecord created = bot.groups().group(g);
        assertThat(created.epoch()).as("every initial member is in the first epoch").isZero();
        assertThat(created.head().orElseThrow().state().members())
                .containsOnlyKeys(writer.address(), reader.address())
                .containsEntry(writer.address(), Permission.WRITE).containsEntry(reader.address(), Permission.READ);
        for (String name : List.of("writer", "reader")) {
            await(name, () -> invited(name, g), name + " gets its invite");
            node(name).groups().accept(g);
            await(name, () -> joinedWithKey(name, g, 0), name + " joins with the key of the first epoch");
        }
        assertThat(reader.groups().group(g).permission()).isEqualTo(Permission.READ);
        assertThat(writer.groups().group(g).permission()).isEqualTo(Permission.WRITE);
        assertThat(bot.groups().group(g).epoch()).as("joining starts no epoch").isZero();

        writer.groups().send(g, "from the start", WAIT);
        await("reader", () -> texts("reader", g).contains("from the start"), "the reader reads the writer");
        assertThatThrownBy(() -> reader.groups().send(g, "me too", WAIT)).isInstanceOf(UserError.class)
                .hasMessageContaining("not a writer");
    }

    @Test
    void create_withInitialMemberOffline_inviteWaitsAcrossAManagerRestartAndArrivesWhenItReturns() throws Exception {
        startHostAndBot();
        org.hearth.core.identity.Endpoint late = start("late", NodeConfig.Roles.MEMBER).endpoint();
        nodes.remove("late").close();

        GroupId g = node("bot").groups().create("patient", List.of(node("host").endpoint()), false, IMMEDIATE,
                List.of(new GroupService.InitialMember(late, Permission.WRITE)));
        // the manager restarts: the invite is in its outbox, and the member is not a contact of anyone
        nodes.remove("bot").close();
        start("bot", NodeConfig.Roles.MEMBER);
        start("late", NodeConfig.Roles.MEMBER);

        await("late", () -> invited("late", g), HOST_RETURN.plus(PROMPT), "the queued invite reaches the returning member");
        node("late").groups().accept(g);
        await("late", () -> joinedWithKey("late", g, 0), "it joins the first epoch");
    }

    @Test
    void create_withInitialMembers_duplicatesTheManagerItselfOrTooMany_refusedAndNothingCreated() throws Exception {
        Node bot = start("bot", NodeConfig.Roles.MEMBER);
        Node other = start("other", NodeConfig.Roles.MEMBER);
        List<org.hearth.core.identity.Endpoint> self = List.of(bot.endpoint());
        GroupService.InitialMember member = new GroupService.InitialMember(other.endpoint(), Permission.WRITE);
        List<GroupService.InitialMember> tooMany = new ArrayList<>();
        for (int i = 0; i < org.hearth.core.group.ManagerEngine.MAX_INITIAL_MEMBERS; i++) {
            tooMany.add(new GroupService.InitialMember(new org.hearth.core.identity.Endpoint(
                    org.hearth.core.identity.Identity.generate(random).address(), "127.0.0.1", 9), Permission.READ));
        }

        assertThatThrownBy(() -> bot.groups().create("dup", self, true, IMMEDIATE, List.of(member,
                new GroupService.InitialMember(other.endpoint(), Permission.READ))))
                .isInstanceOf(UserError.class).hasMessageContaining("listed twice");
        assertThatThrownBy(() -> bot.groups().create("me", self, true, IMMEDIATE,
                List.of(new GroupService.InitialMember(bot.endpoint(), Permission.WRITE))))
                .isInstanceOf(UserError.class).hasMessageContaining("manager");
        assertThatThrownBy(() -> bot.groups().create("big", self, true, IMMEDIATE, tooMany))
                .as("1000 members and the self-hosting manager").isInstanceOf(UserError.class)
                .hasMessageContaining("at most");
        assertThat(bot.groups().groups()).isEmpty();
        // one fewer fits: the whole first epoch in one update
        GroupId g = bot.groups().create("full", self, true, IMMEDIATE, tooMany.subList(1, tooMany.size()));
        assertThat(bot.groups().group(g).head().orElseThrow().state().members())
                .hasSize(org.hearth.core.group.ManagerEngine.MAX_INITIAL_MEMBERS);
    }

    @Test
    void invite_experimentFlagOff_ignoredAndGroupCommandsTurnedOff() throws Exception {
        startHostAndBot();
        start("member", NodeConfig.Roles.MEMBER);
        Node off = start("off", new NodeConfig.Roles(true, false, false));
        Node bot = node("bot");
        GroupId g = bot.groups().create("flagged", List.of(node("host").endpoint()), false, IMMEDIATE);
        bot.groups().add(g, off.endpoint(), Permission.WRITE);
        bot.groups().add(g, node("member").endpoint(), Permission.WRITE);
        assertThat(bot.groups().group(g).epoch()).as("one epoch per add").isEqualTo(2);
        await("member", () -> invited("member", g), "the member with the flag on gets its invite");

        // The invite went into the bot's outbox for `off` before this contact request: one pump per peer sends
        // in outbox order and the receiver handles a channel's messages in order, so once the request shows,
        // the invite has been handled (acknowledged and ignored).
        bot.messenger().addContact(off.endpoint());
        await("off", () -> off.messenger().contacts(true).stream()
                .anyMatch(c -> c.address().equals(bot.address()) && c.status() == ContactStatus.INCOMING),
                "a later item from the bot reaches the node with the flag off");

        assertThat(off.groups().invites()).isEmpty();
        assertThat(off.groups().groups()).isEmpty();
        assertThatThrownBy(() -> off.groups().accept(g)).isInstanceOf(UserError.class).hasMessageContaining("turned off");
        assertThatThrownBy(() -> off.groups().create("mine", List.of(node("host").endpoint()), false))
                .isInstanceOf(UserError.class).hasMessageContaining("turned off");
        assertThatThrownBy(() -> off.groups().send(g, "hello?", WAIT))
                .isInstanceOf(UserError.class).hasMessageContaining("turned off");
    }

    @Test
    void keyCatchupNone_memberOfflineAcrossRotation_missesThatEpochKeyButGetsTheNext() throws Exception {
        startHostAndBot();
        start("online", NodeConfig.Roles.MEMBER);
        start("away", NodeConfig.Roles.MEMBER);
        GroupId g = group(policy(KeyCatchup.NONE, Duration.ofDays(7)),
                Map.of("online", Permission.WRITE, "away", Permission.WRITE));
        befriendBot("online");

        goOffline("away"); // the bot restarts meanwhile
        awaitBotReaches("online");
        Node bot = node("bot");
        bot.groups().rotate(g);
        long missed = bot.groups().group(g).epoch();
        await("online", () -> joinedWithKey("online", g, missed), "the online member gets the new key");

        start("away", NodeConfig.Roles.MEMBER);
        // the update came over a channel from the bot, so the bot holds a live channel to the member again
        await("away", () -> node("away").groups().group(g).epoch() == missed, "the returning member gets the update");
        bot.groups().rotate(g);
        long next = bot.groups().group(g).epoch();
        await("away", () -> joinedWithKey("away", g, next), "the member, online again, gets the next key");
        await("online", () -> joinedWithKey("online", g, next), "the online member gets the next key too");

        // deliveries arrive in order: the one for `missed` was handled before the one for `next`
        assertThat(node("away").groups().heldKeyEpochs(g)).contains(next).doesNotContain(missed);
        assertThat(node("away").groups().heldKeyEpochs(g)).as("its keys from before").contains(missed - 1);
        assertThat(node("online").groups().heldKeyEpochs(g)).contains(missed - 1, missed, next);
    }

    @Test
    void keyCatchupLatest_memberOfflineAcrossTwoRotations_getsOnlyTheCurrentKeyOnReconnect() throws Exception {
        startHostAndBot();
        start("online", NodeConfig.Roles.MEMBER);
        start("away", NodeConfig.Roles.MEMBER);
        GroupId g = group(policy(KeyCatchup.LATEST, Duration.ofDays(7)),
                Map.of("online", Permission.WRITE, "away", Permission.WRITE));
        befriendBot("online");

        goOffline("away"); // the bot restarts meanwhile
        awaitBotReaches("online");
        Node bot = node("bot");
        bot.groups().rotate(g);
        long startedAndEnded = bot.groups().group(g).epoch();
        await("online", () -> joinedWithKey("online", g, startedAndEnded), "the online member gets the key");
        bot.groups().rotate(g);
        long current = bot.groups().group(g).epoch();
        await("online", () -> joinedWithKey("online", g, current), "the online member gets the next key");

        start("away", NodeConfig.Roles.MEMBER);
        await("away", () -> joinedWithKey("away", g, current), "the returning member gets the current key");

        assertThat(node("away").groups().heldKeyEpochs(g)).contains(startedAndEnded - 1, current)
                .doesNotContain(startedAndEnded);
        node("online").groups().send(g, "for the current epoch", WAIT);
        await("away", () -> texts("away", g).contains("for the current epoch"), "the returning member reads now");
    }

    @Test
    void keyRetention_oneSecond_oldEpochKeyDeletedAfterNextRotation() throws Exception {
        startHostAndBot();
        start("member", NodeConfig.Roles.MEMBER);
        GroupId g = group(policy(KeyCatchup.SINCE_JOIN, Duration.ofSeconds(1)), Map.of("member", Permission.WRITE));
        Node bot = node("bot");
        long old = bot.groups().group(g).epoch();
        assertThat(node("member").groups().heldKeyEpochs(g)).containsExactly(old);

        bot.groups().rotate(g);
        long next = old + 1;
        await("member", () -> joinedWithKey("member", g, next), "the member gets the next epoch's key");
        await("member", () -> !node("member").groups().heldKeyEpochs(g).contains(old),
                "the old key expires a second after the next epoch began");
        assertThat(node("member").groups().heldKeyEpochs(g)).containsExactly(next);
        await("bot", () -> !bot.groups().heldKeyEpochs(g).contains(old), "the manager forgets it too");
        assertThat(bot.groups().heldKeyEpochs(g)).contains(next);
    }

    /**
     * A key that ended under a long retention expires soon after the manager shortens the retention: the member's
     * expiry looks again when a policy change arrives, not only at its once-a-minute recheck (which the 30 s wait
     * here would not reach).
     */
    @Test
    void keyRetention_shortenedByThePolicy_keysThatEndedEarlierExpireAtOnce() throws Exception {
        startHostAndBot();
        start("member", NodeConfig.Roles.MEMBER);
        GroupId g = group(policy(KeyCatchup.SINCE_JOIN, Duration.ofDays(1)), Map.of("member", Permission.WRITE));
        Node bot = node("bot");
        long old = bot.groups().group(g).epoch();
        bot.groups().rotate(g);
        await("member", () -> joinedWithKey("member", g, old + 1), "the member gets the next epoch's key");
        assertThat(node("member").groups().heldKeyEpochs(g)).contains(old); // kept for a day

        bot.groups().setPolicy(g, policy(KeyCatchup.SINCE_JOIN, Duration.ofSeconds(1)));
        await("member", () -> node("member").groups().group(g).head().map(h -> h.state().policy().keyRetention())
                .orElseThrow().equals(Duration.ofSeconds(1)), "the member holds the shortened retention");
        await("member", () -> !node("member").groups().heldKeyEpochs(g).contains(old),
                "the key that ended more than a second ago expires");
    }

    @Test
    void send_hostDown_queuedThenDeliveredAfterHostRestart() throws Exception {
        startHostAndBot();
        start("sender", NodeConfig.Roles.MEMBER);
        start("reader", NodeConfig.Roles.MEMBER);
        GroupId g = group(IMMEDIATE, Map.of("sender", Permission.WRITE, "reader", Permission.WRITE));
        assertThat(node("sender").groups().send(g, "host is up", WAIT)).isEqualTo(SendOutcome.STORED_BY_HOST);
        await("reader", () -> texts("reader", g).contains("host is up"), "the reader reads while the host is up");

        nodes.remove("host").close();
        // the send waits 5 s for a host: an outage longer than the fetch loops' 2 s retry, so both members have
        // tried the host and failed before it returns
        assertThat(node("sender").groups().send(g, "sent while the host was down", Duration.ofSeconds(5)))
                .isEqualTo(SendOutcome.QUEUED);
        assertThat(texts("sender", g)).containsExactly("host is up", "sent while the host was down");

        start("host", NodeConfig.Roles.HOST);
        await("reader", () -> texts("reader", g).contains("sent while the host was down"), HOST_RETURN,
                "the queued message reaches the reader within " + HOST_RETURN.toSeconds() + " s of the host's return"
                + " (peers are redialled with a backoff capped at 15 s while something waits for them)");
        assertThat(texts("reader", g)).containsExactly("host is up", "sent while the host was down");
        assertThat(texts("sender", g)).containsExactly("host is up", "sent while the host was down");
    }

    /**
     * Each rotation the bot starts on its own must leave it reading the new epoch at once: it counts the
     * messages it reads. The first cycle follows a change (which wakes the bot's fetch loop); the second
     * follows an automatic rotation.
     */
    @Test
    void rotateAfterMessages_threeMessagesInTwoEpochsInARow_botRotatesPromptlyBothTimes() throws Exception {
        startHostAndBot();
        start("member", NodeConfig.Roles.MEMBER);
        GroupId g = group(new GroupPolicy(Duration.ZERO, 3, Duration.ZERO, KeyCatchup.SINCE_JOIN, Duration.ofDays(7)),
                Map.of("member", Permission.WRITE));
        Node bot = node("bot");
        for (int cycle = 1; cycle <= 2; cycle++) {
            long epoch = bot.groups().group(g).epoch();
            await("member", () -> joinedWithKey("member", g, epoch), "the member is in the bot's current epoch");
            for (int i = 1; i <= 3; i++) {
                assertThat(node("member").groups().send(g, "cycle " + cycle + ", message " + i, WAIT))
                        .isEqualTo(SendOutcome.STORED_BY_HOST);
            }
            await("bot", () -> bot.groups().group(g).epoch() > epoch, PROMPT,
                    "cycle " + cycle + ": the bot reads three messages of epoch " + epoch + " and rotates");
        }
    }

    // ---- the group ----

    /**
     * Creates a group on the bot with the given policy and adds the members one by one (with no minimum
     * interval each add is an epoch of its own); each accepts and holds the key of the epoch it ends up in.
     */
    private GroupId group(GroupPolicy policy, Map<String, Permission> members) throws InterruptedException {
        Node bot = node("bot");
        GroupId g = bot.groups().create("integration", List.of(node("host").endpoint()), false, policy);
        for (Map.Entry<String, Permission> m : new TreeMap<>(members).entrySet()) {
            bot.groups().add(g, node(m.getKey()).endpoint(), m.getValue());
            await(m.getKey(), () -> invited(m.getKey(), g), m.getKey() + " gets the invite");
            node(m.getKey()).groups().accept(g);
        }
        long epoch = bot.groups().group(g).epoch();
        assertThat(epoch).as("one epoch per add").isEqualTo(members.size());
        for (String name : members.keySet()) {
            await(name, () -> joinedWithKey(name, g, epoch), name + " joins with the current key");
        }
        return g;
    }

    private static GroupPolicy policy(KeyCatchup catchup, Duration retention) {
        return new GroupPolicy(Duration.ZERO, 0, Duration.ZERO, catchup, retention);
    }

    private boolean invited(String name, GroupId g) {
        return node(name).groups().invites().stream().anyMatch(i -> i.id().equals(g));
    }

    private boolean joinedWithKey(String name, GroupId g, long epoch) {
        GroupService groups = node(name).groups();
        return groups.groups().stream().anyMatch(r -> r.id().equals(g) && r.status() == GroupRecord.Status.JOINED
                && r.epoch() >= epoch) && groups.heldKeyEpochs(g).contains(epoch);
    }

    private List<String> texts(String name, GroupId g) {
        return node(name).groups().messages(g).stream().map(GroupMessageView::text).toList();
    }

    // ---- nodes ----

    private void startHostAndBot() throws Exception {
        start("host", NodeConfig.Roles.HOST);
        start("bot", NodeConfig.Roles.MEMBER);
    }

    /** Starts (or restarts, on the same port) a node with its own store under the test's directory. */
    private Node start(String name, NodeConfig.Roles roles) throws Exception {
        Path home = dir.resolve(name);
        if (!NodeHome.exists(home)) {
            NodeHome.init(home, PASSPHRASE, name, random, PassphraseKdf.FAST);
        }
        Node n = Node.start(NodeConfig.of(home, PASSPHRASE, new HostPort("127.0.0.1", ports.getOrDefault(name, 0)))
                .withRoles(roles));
        ports.put(name, n.endpoint().port());
        nodes.put(name, n);
        return n;
    }

    /**
     * Takes a member offline in a way the bot cannot miss. The manager judges "offline" (no key under
     * none/latest) by whether it has a live channel to the member when it issues an epoch; a socket close
     * reaches the bot a moment after {@link Node#close()} returns and nothing observable marks that moment. So
     * the bot restarts while the member is down: it comes back with no channel to the member, and none can
     * appear until the member returns.
     */
    private void goOffline(String name) throws Exception {
        nodes.remove(name).close();
        nodes.remove("bot").close();
        start("bot", NodeConfig.Roles.MEMBER);
    }

    /** Makes a member a chat contact of the bot, so that the bot can show it reaches the member (below). */
    private void befriendBot(String name) throws InterruptedException {
        Node bot = node("bot");
        Address member = node(name).address();
        bot.messenger().addContact(node(name).endpoint()); // the member knows the bot (its manager) and accepts
        await("bot", () -> bot.messenger().contacts(true).stream()
                .anyMatch(c -> c.address().equals(member) && c.status() == ContactStatus.ACCEPTED), name + " accepts");
    }

    /**
     * Waits until the bot holds a live channel to the member, so that the next epoch counts it as online: a
     * chat message from the bot is acknowledged, and acknowledgements come back over a live channel.
     */
    private void awaitBotReaches(String name) throws InterruptedException {
        Node bot = node("bot");
        Address member = node(name).address();
        ChatMessage ping = bot.messenger().send(member, "still there?");
        await("bot", () -> bot.messenger().conversation(member).stream()
                .anyMatch(m -> m.id().equals(ping.id()) && m.delivered()), "the bot reaches " + name);
    }

    private Node node(String name) {
        Node n = nodes.get(name);
        if (n == null) {
            throw new AssertionError(name + " is not running");
        }
        return n;
    }

    /** Waits on the node's change counter, which moves after every commit a user could see. */
    private void await(String who, BooleanSupplier condition, String what) throws InterruptedException {
        await(who, condition, WAIT, what);
    }

    private void await(String who, BooleanSupplier condition, Duration timeout, String what)
            throws InterruptedException {
        if (!node(who).changes().awaitCondition(condition, timeout)) {
            throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for: " + what);
        }
    }
}
