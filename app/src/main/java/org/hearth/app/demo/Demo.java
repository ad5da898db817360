package org.hearth.app.demo;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.hearth.core.crypto.PassphraseKdf;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.HostPort;
import org.hearth.node.Node;
import org.hearth.node.NodeConfig;
import org.hearth.node.NodeHome;
import org.hearth.node.chat.ChatMessage;
import org.hearth.node.contacts.ContactStatus;
import org.hearth.node.transport.tor.PrivateTorNetwork;

/**
 * The demo: real nodes, real sockets on 127.0.0.1, real encrypted stores in a temporary directory that is
 * deleted afterwards. Each step waits for the nodes' change notifications, never for a fixed time.
 */
final class Demo {
    private final PrintWriter out;
    private final boolean overTor;
    private DemoTransport transport = DemoTransport.tcp();
    private final RandomSource random = RandomSource.secure();
    private final char[] passphrase;

    Demo(PrintWriter out, boolean overTor) {
        this.out = out;
        this.overTor = overTor;
        this.passphrase = java.util.HexFormat.of().formatHex(random.bytes(16)).toCharArray();
    }

    boolean run() throws Exception {
        Path dir = Files.createTempDirectory("hearth-demo-");
        PrivateTorNetwork network = null;
        try {
            if (overTor) {
                say("Over Tor: a throw-away private Tor network on 127.0.0.1 (nothing leaves this machine); each node"
                        + " runs its own tor and is an onion service whose address is its Hearth address.");
                network = PrivateTorNetwork.start(dir.resolve("tor-network"), this::say);
                transport = DemoTransport.tor(network);
            }
            return story(dir) && new GroupDemo(out, dir.resolve("groups"), passphrase, transport).run();
        } finally {
            if (network != null) {
                network.close();
            }
            deleteTree(dir);
        }
    }

    private boolean story(Path dir) throws Exception {
        say("Hearth demo: two people, two nodes, one conversation that survives a crash.");
        Path aliceHome = dir.resolve("alice");
        Path bobHome = dir.resolve("bob");
        Address alice = NodeHome.init(aliceHome, passphrase, "alice", random, PassphraseKdf.DEFAULT).address();
        Address bob = NodeHome.init(bobHome, passphrase, "bob", random, PassphraseKdf.DEFAULT).address();
        say("1. Each node made an Ed25519 identity; its address is the Tor v3 onion form of the key.");
        say("   alice = " + alice.scrubbed() + "   bob = " + bob.scrubbed()
                + "   (stores encrypted with Argon2id + ChaCha20)");

        Node a = start(aliceHome, 0);
        Node b = start(bobHome, 0);
        Node bobAgain = null;
        int bobPort = b.endpoint().port();
        try {
            say(overTor ? "2. Both nodes are onion services: alice = " + a.endpoint().host().substring(0, 6)
                    + "….onion, bob = " + b.endpoint().host().substring(0, 6) + "….onion (the address is the key);"
                    + " channels are Noise XX inside Tor, bound to each identity."
                    : "2. Both nodes listen on 127.0.0.1; channels are Noise XX, bound to each identity.");
            a.messenger().addContact(b.endpoint());
            say("3. alice sends bob a contact request.");
            await(b, () -> hasStatus(b, alice, ContactStatus.INCOMING), "bob receives the request");
            b.messenger().acceptContact(alice);
            await(a, () -> hasStatus(a, bob, ContactStatus.ACCEPTED), "alice learns bob accepted");
            say("4. bob accepted; they are contacts on both sides.");

            a.messenger().send(bob, "Hi bob! This travels over an authenticated, forward-secret channel.");
            await(b, () -> b.messenger().conversation(alice).size() == 1, "bob receives alice's message");
            b.messenger().send(alice, "Hi alice, got it.");
            await(a, () -> a.messenger().conversation(bob).size() == 2, "alice receives bob's reply");
            say("5. They chat:");
            show(a, bob);

            b.close();
            say("6. bob's node goes offline. alice writes three more messages; each is on her disk before the");
            say("   command returns and waits in her outbox.");
            for (int i = 1; i <= 3; i++) {
                a.messenger().send(bob, "message " + i + " while you were away");
            }
            long undelivered = a.messenger().conversation(bob).stream().filter(m -> !m.delivered()).count();
            say("   undelivered at alice: " + undelivered);
            bobAgain = start(bobHome, transport.restartPort(bobPort));
            say(overTor ? "7. bob comes back at the same onion address; the nodes reconnect and alice's outbox drains."
                    : "7. bob comes back on the same port; the nodes reconnect and alice's outbox drains.");
            await(a, () -> a.messenger().conversation(bob).stream().allMatch(ChatMessage::delivered),
                    "alice's messages are acknowledged");
            List<ChatMessage> atBob = bobAgain.messenger().conversation(alice);
            say("   bob has " + atBob.size() + " messages from the conversation, each exactly once:");
            show(bobAgain, alice);
            say("Done: nothing was lost, nothing duplicated.");
            return atBob.size() == 5;
        } finally {
            a.close();
            b.close();
            if (bobAgain != null) {
                bobAgain.close();
            }
        }
    }

    private Node start(Path home, int port) throws Exception {
        return Node.start(NodeConfig.of(home, passphrase, new HostPort("127.0.0.1", port))
                .withTransport(transport.factory()));
    }

    private static boolean hasStatus(Node n, Address peer, ContactStatus s) {
        return n.messenger().contacts(true).stream().anyMatch(c -> c.address().equals(peer) && c.status() == s);
    }

    private void await(Node n, BooleanSupplier condition, String what) throws InterruptedException {
        if (!n.changes().awaitCondition(condition, transport.stepTimeout())) {
            throw new IllegalStateException("demo step timed out: " + what);
        }
    }

    private void show(Node n, Address with) {
        for (ChatMessage m : n.messenger().conversation(with)) {
            say("     " + (m.outgoing() ? "me -> " : "   <- ") + m.text());
        }
    }

    private void say(String line) {
        out.println(line);
        out.flush();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
