package org.hearth.node.managed;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
import org.hearth.core.identity.Identity;
import org.hearth.node.Node;
import org.hearth.node.NodeConfig;
import org.hearth.node.NodeHome;
import org.hearth.node.group.GroupMessageView;
import org.hearth.node.group.GroupRecord;

/**
 * Real in-process nodes on loopback, each with its own encrypted store in a temp directory, restartable on the
 * same port. Every wait is on a node's change counter (bumped by each group commit, and the group sweep commits
 * every 500 ms), never a sleep.
 */
final class Cluster implements AutoCloseable {
    static final String PASSPHRASE = "managed host tests";
    static final Duration STEP = Duration.ofSeconds(30);
    /** No scheduled rotation and no minimum interval: every change is a new epoch at once. */
    static final GroupPolicy IMMEDIATE = new GroupPolicy(Duration.ZERO, 0, Duration.ZERO, KeyCatchup.SINCE_JOIN,
            Duration.ofDays(7));

    private final Path dir;
    private final RandomSource random = RandomSource.secure();
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Map<String, NodeConfig.Roles> roles = new LinkedHashMap<>();
    private final Map<String, Identity> identities = new LinkedHashMap<>();

    Cluster(Path dir) {
        this.dir = dir;
    }

    Node start(String name, NodeConfig.Roles r) throws Exception {
        Path home = home(name);
        if (!NodeHome.exists(home)) {
            NodeHome.init(home, PASSPHRASE.toCharArray(), name, random, PassphraseKdf.FAST);
        }
        Node n = Node.start(NodeConfig.of(home, PASSPHRASE.toCharArray(),
                new HostPort("127.0.0.1", ports.getOrDefault(name, 0))).withRoles(r));
        ports.put(name, n.endpoint().port());
        roles.put(name, r);
        identities.put(name, n.identity());
        nodes.put(name, n);
        return n;
    }

    Node member(String name) throws Exception {
        return start(name, NodeConfig.Roles.MEMBER);
    }

    /** Starts a stopped node again, same home, roles and port. */
    Node restart(String name) throws Exception {
        return start(name, roles.get(name));
    }

    void stop(String name) {
        Node n = nodes.remove(name);
        if (n != null) {
            n.close();
        }
    }

    Node node(String name) {
        Node n = nodes.get(name);
        if (n == null) {
            throw new IllegalStateException(name + " is not running");
        }
        return n;
    }

    /** A node's identity, also while it is stopped (for raw channels in its name). */
    Identity identity(String name) {
        return identities.get(name);
    }

    Path home(String name) {
        return dir.resolve(name);
    }

    /** Waits on {@code who}'s changes until the condition holds; fails the test on timeout. */
    void await(String who, BooleanSupplier condition, String what) throws InterruptedException {
        if (!node(who).changes().awaitCondition(condition, STEP)) {
            throw new AssertionError("timed out after " + STEP.toSeconds() + " s waiting for: " + what);
        }
    }

    /**
     * For state no change notification covers (a host's retention sweep deletes envelopes without telling
     * anyone): re-checks at every change of {@code who}, and at least every 250 ms, until the deadline.
     */
    void poll(String who, BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        if (!pollFor(who, condition, timeout)) {
            throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for: " + what);
        }
    }

    /** As {@link #poll}, returning whether the condition came to hold. */
    boolean pollFor(String who, BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        org.hearth.node.Changes changes = node(who).changes();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            changes.awaitAfter(changes.version(), Duration.ofMillis(250));
        }
        return true;
    }

    /**
     * A group managed and hosted by {@code manager} (a writer of its own group), with {@code members} invited,
     * joined and holding the key of the group's current epoch.
     */
    GroupId selfHostedGroup(String manager, GroupPolicy policy, Map<String, Permission> members) throws Exception {
        Node m = node(manager);
        GroupId g = m.groups().create("managed-" + manager, List.of(m.endpoint()), true, policy);
        for (Map.Entry<String, Permission> e : members.entrySet()) {
            m.groups().add(g, node(e.getKey()).endpoint(), e.getValue());
        }
        for (String p : members.keySet()) {
            await(p, () -> invited(p, g), p + " gets the invite");
            node(p).groups().accept(g);
        }
        long epoch = m.groups().group(g).epoch();
        for (String p : members.keySet()) {
            await(p, () -> joinedWithKey(p, g, epoch), p + " joins with the key of epoch " + epoch);
        }
        return g;
    }

    boolean invited(String who, GroupId g) {
        return node(who).groups().invites().stream().anyMatch(i -> i.id().equals(g));
    }

    boolean joinedWithKey(String who, GroupId g, long epoch) {
        var groups = node(who).groups();
        return groups.groups().stream().anyMatch(r -> r.id().equals(g) && r.status() == GroupRecord.Status.JOINED
                && r.epoch() >= epoch) && groups.heldKeyEpochs(g).contains(epoch);
    }

    boolean hosts(String who, GroupId g, Node host) {
        return node(who).groups().group(g).head().orElseThrow().state().hosts().contains(host.endpoint());
    }

    List<String> texts(String who, GroupId g) {
        return node(who).groups().messages(g).stream().map(GroupMessageView::text).toList();
    }

    boolean hasAll(String who, GroupId g, List<String> texts) {
        return texts(who, g).containsAll(texts);
    }

    @Override
    public void close() {
        List<String> names = new ArrayList<>(nodes.keySet());
        for (String n : names.reversed()) {
            stop(n);
        }
    }
}
