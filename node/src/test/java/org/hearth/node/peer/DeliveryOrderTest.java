package org.hearth.node.peer;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.Identity;
import org.hearth.core.wire.MessageId;
import org.hearth.core.wire.proto.PeerMessage;
import org.hearth.node.Node;
import org.hearth.node.chat.ChatMessage;
import org.hearth.node.contacts.ContactStatus;
import org.hearth.node.testkit.RawPeer;
import org.hearth.node.testkit.TestNodes;
import org.hearth.node.testkit.Wire;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Order kept": a receiver commits a channel's messages in arrival order and drops repeats, so what a node
 * sends on a new channel must start from its oldest unacknowledged item. The receiver here is a hand-written
 * peer, so the test sees exactly what the node puts on each channel while one replaces another.
 */
class DeliveryOrderTest {
    private static final RandomSource RANDOM = RandomSource.secure();
    private static final int BACKLOG = 200;
    /** The race is the node's, not the test's: several rounds make catching it very likely when it exists. */
    private static final int ROUNDS = 12;

    @TempDir
    Path dir;

    /**
     * bob dials alice (C1) with a backlog to send; right away alice dials him too (C2). alice has the lower
     * address, so C2 replaces C1, usually while bob's pump is still sending the backlog. What bob sends on C2,
     * read as a receiver commits it, must be his outbox order.
     */
    @Test
    void pump_channelReplacedWhileSendingBacklog_newChannelCarriesOutboxOrder() throws Exception {
        int caughtMidPump = 0;
        for (int round = 0; round < ROUNDS; round++) {
            try (TestNodes nodes = new TestNodes(dir.resolve("round" + round))) {
                Scenario s = new Scenario(nodes.start("bob"));
                s.run();
                if (s.chatsOnFirstChannel > 0 && s.chatsOnFirstChannel < BACKLOG) {
                    caughtMidPump++;
                }
                assertThat(s.committedFromSecondChannel)
                        .as("round %d: ids as a receiver commits them from C2, after C1 carried %d of %d", round,
                                s.chatsOnFirstChannel, BACKLOG)
                        .containsExactlyElementsOf(s.sent);
            }
        }
        assertThat(caughtMidPump).as("rounds in which C2 replaced C1 while the backlog was being sent").isPositive();
    }

    private static final class Scenario {
        final Node bob;
        final List<MessageId> sent = new ArrayList<>();
        final List<MessageId> committedFromSecondChannel = new ArrayList<>();
        int chatsOnFirstChannel;

        Scenario(Node bob) {
            this.bob = bob;
        }

        void run() throws Exception {
            Identity alice = lowerThan(bob);
            try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                befriend(alice, "127.0.0.1:" + listener.getLocalPort());
                // bob now dials alice's listener (he owes her the ContactAccept). Hold his handshake while he
                // queues the backlog, so that his pump starts with all of it.
                RawPeer c1 = RawPeer.accept(listener, alice, () -> {
                    for (int i = 0; i < BACKLOG; i++) {
                        ChatMessage m = bob.messenger().send(alice.address(), i + " " + "x".repeat(1000));
                        sent.add(m.id());
                    }
                });
                assertThat(c1.remote()).isEqualTo(bob.address());
                AtomicInteger framesOnC1 = new AtomicInteger();
                Thread drain = Thread.ofVirtual().start(() -> framesOnC1.set(c1.drainFrames()));

                try (RawPeer c2 = RawPeer.dial(bob.endpoint(), alice)) {
                    Set<MessageId> firstSeen = new LinkedHashSet<>();
                    long deadline = System.nanoTime() + TestNodes.WAIT.toNanos();
                    while (firstSeen.size() < BACKLOG) {
                        PeerMessage m = c2.receive(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())));
                        if (m.hasChat()) {
                            firstSeen.add(Wire.chatId(m));
                        }
                    }
                    committedFromSecondChannel.addAll(firstSeen);
                }
                drain.join(TestNodes.WAIT.toMillis());
                c1.close();
                chatsOnFirstChannel = Math.max(0, framesOnC1.get() - 2); // Hello and the ContactAccept came first
            }
        }

        /** alice asks, bob accepts; the accept stays unacknowledged, so bob keeps wanting a channel to her. */
        private void befriend(Identity alice, String hint) throws Exception {
            try (RawPeer c0 = RawPeer.dial(bob.endpoint(), alice)) {
                MessageId request = MessageId.random(RANDOM);
                c0.send(Wire.contactRequest(request, "alice", hint));
                c0.receiveMatching(m -> Wire.isAckOf(m, request), TestNodes.WAIT);
                bob.messenger().acceptContact(alice.address());
                TestNodes.awaitStatus(bob, alice.address(), ContactStatus.ACCEPTED);
                c0.receiveMatching(PeerMessage::hasContactAccept, TestNodes.WAIT);
            }
        }

        private static Identity lowerThan(Node node) {
            while (true) {
                Identity id = Identity.generate(RANDOM);
                if (id.address().compareTo(node.address()) < 0) {
                    return id;
                }
            }
        }
    }
}
