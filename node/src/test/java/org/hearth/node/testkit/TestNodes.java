package org.hearth.node.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.hearth.core.crypto.PassphraseKdf;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.HostPort;
import org.hearth.node.Node;
import org.hearth.node.NodeConfig;
import org.hearth.node.NodeHome;
import org.hearth.node.chat.ChatMessage;
import org.hearth.node.contacts.Contact;
import org.hearth.node.contacts.ContactStatus;

/**
 * In-process nodes on 127.0.0.1 with real encrypted stores under one directory (a {@code @TempDir}), cheap
 * KDF parameters, and waits that follow {@link org.hearth.node.Changes} instead of sleeping. Closing it stops
 * every node it still runs.
 */
public final class TestNodes implements AutoCloseable {
    /** Generous: a bound for a condition that normally holds within milliseconds on loopback. */
    public static final Duration WAIT = Duration.ofSeconds(30);
    public static final String LOOPBACK = "127.0.0.1";
    private static final String PASSPHRASE = "test passphrase";

    private record Home(Path dir, int port) {
    }

    private final Path root;
    private final Map<String, Home> homes = new HashMap<>();
    private final Map<Node, String> running = new IdentityHashMap<>();

    public TestNodes(Path root) {
        this.root = root;
    }

    /** Creates the home {@code name} (display name {@code name}) unless it exists, and starts it on a free port. */
    public Node start(String name) throws Exception {
        return start(name, name);
    }

    /** As {@link #start(String)}, with a chosen display name for a new home. */
    public Node start(String name, String displayName) throws Exception {
        Path dir = root.resolve(name);
        if (!NodeHome.exists(dir)) {
            NodeHome.init(dir, PASSPHRASE.toCharArray(), displayName, RandomSource.secure(), PassphraseKdf.FAST);
        }
        return startOn(name, dir, 0);
    }

    /** Starts {@code names} in order, each on a free port. */
    public List<Node> startAll(String... names) throws Exception {
        List<Node> nodes = new ArrayList<>();
        for (String n : names) {
            nodes.add(start(n));
        }
        return nodes;
    }

    /** Closes a node; its home stays, so {@link #startAgain} can bring it back on the same port. */
    public void stop(Node node) {
        synchronized (this) {
            running.remove(node);
        }
        node.close();
    }

    /** Starts an existing home again on the port it last listened on. */
    public Node startAgain(String name) throws Exception {
        Home h;
        synchronized (this) {
            h = homes.get(name);
        }
        if (h == null) {
            throw new IllegalStateException("no node " + name + " was started");
        }
        return startOn(name, h.dir(), h.port());
    }

    /** Stops and starts a node on the same home and port. */
    public Node restart(Node node) throws Exception {
        String name;
        synchronized (this) {
            name = running.get(node);
        }
        stop(node);
        return startAgain(name);
    }

    private Node startOn(String name, Path dir, int port) throws Exception {
        Node node = Node.start(NodeConfig.of(dir, PASSPHRASE.toCharArray(), new HostPort(LOOPBACK, port)));
        synchronized (this) {
            homes.put(name, new Home(dir, node.endpoint().port()));
            running.put(node, name);
        }
        return node;
    }

    @Override
    public void close() {
        List<Node> nodes;
        synchronized (this) {
            nodes = new ArrayList<>(running.keySet());
            running.clear();
        }
        for (Node n : nodes) {
            n.close();
        }
    }

    // ---- scenarios and waits ----

    /** {@code a} adds {@code b}, {@code b} accepts; returns once both sides see the other as ACCEPTED. */
    public static void befriend(Node a, Node b) throws InterruptedException {
        a.messenger().addContact(b.endpoint());
        await(b, "the request from " + a.address().scrubbed() + " arrives",
                () -> status(b, a.address()).filter(s -> s == ContactStatus.INCOMING).isPresent());
        b.messenger().acceptContact(a.address());
        awaitStatus(a, b.address(), ContactStatus.ACCEPTED);
        awaitStatus(b, a.address(), ContactStatus.ACCEPTED);
    }

    public static void awaitStatus(Node at, Address peer, ContactStatus wanted) throws InterruptedException {
        await(at, "contact is " + wanted, () -> status(at, peer).filter(s -> s == wanted).isPresent());
    }

    /** Waits for {@code condition}, re-checked after each change {@code node} commits; fails after {@link #WAIT}. */
    public static void await(Node node, String what, BooleanSupplier condition) throws InterruptedException {
        await(node, what, condition, WAIT);
    }

    public static void await(Node node, String what, BooleanSupplier condition, Duration timeout)
            throws InterruptedException {
        assertThat(node.changes().awaitCondition(condition, timeout))
                .as("within %s: %s", timeout, what)
                .isTrue();
    }

    public static Optional<Contact> contact(Node at, Address peer) {
        return at.messenger().contacts(true).stream().filter(c -> c.address().equals(peer)).findFirst();
    }

    public static Optional<ContactStatus> status(Node at, Address peer) {
        return contact(at, peer).map(Contact::status);
    }

    /** The conversation with {@code peer}, or empty while {@code peer} is not a contact at all. */
    public static List<ChatMessage> conversation(Node at, Address peer) {
        return contact(at, peer).isPresent() ? at.messenger().conversation(peer) : List.of();
    }

    public static List<String> texts(List<ChatMessage> messages) {
        return messages.stream().map(ChatMessage::text).toList();
    }

    public static boolean allDelivered(Node at, Address peer) {
        return conversation(at, peer).stream().filter(ChatMessage::outgoing).allMatch(ChatMessage::delivered);
    }
}
