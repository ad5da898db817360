package org.hearth.node.peer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.hearth.node.Node;
import org.hearth.node.chat.ChatMessage;
import org.hearth.node.contacts.ContactStatus;
import org.hearth.node.testkit.TestNodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two nodes that dial each other at the same moment converge on one channel and lose or repeat nothing. */
class SimultaneousDialTest {
    @TempDir
    Path dir;
    private TestNodes nodes;

    @BeforeEach
    void setUp() {
        nodes = new TestNodes(dir);
    }

    @AfterEach
    void tearDown() {
        nodes.close();
    }

    @RepeatedTest(10)
    void addContact_bothAddEachOtherAtOnce_acceptedOnBothSidesAndOneMessageEachWayOnce() throws Exception {
        Node alice = nodes.start("alice");
        Node bob = nodes.start("bob");

        atOnce(() -> alice.messenger().addContact(bob.endpoint()), () -> bob.messenger().addContact(alice.endpoint()));

        TestNodes.awaitStatus(alice, bob.address(), ContactStatus.ACCEPTED);
        TestNodes.awaitStatus(bob, alice.address(), ContactStatus.ACCEPTED);
        alice.messenger().send(bob.address(), "from alice");
        bob.messenger().send(alice.address(), "from bob");
        TestNodes.await(alice, "both messages at alice, hers delivered", () -> bothThereAndDelivered(alice, bob));
        TestNodes.await(bob, "both messages at bob, his delivered", () -> bothThereAndDelivered(bob, alice));

        for (Node n : List.of(alice, bob)) {
            Node other = n == alice ? bob : alice;
            List<ChatMessage> conv = TestNodes.conversation(n, other.address());
            assertThat(TestNodes.texts(conv)).containsExactlyInAnyOrder("from alice", "from bob");
            assertThat(conv).extracting(ChatMessage::id).doesNotHaveDuplicates();
            assertThat(n.messenger().contacts(true)).singleElement()
                    .satisfies(c -> assertThat(c.address()).isEqualTo(other.address()));
        }
    }

    @Test
    void start_bothRestartAtOnceWithMessagesQueuedBothWays_everythingDeliveredOnceInOrder() throws Exception {
        Node alice = nodes.start("alice");
        Node bob = nodes.start("bob");
        TestNodes.befriend(alice, bob);
        List<String> fromAlice = IntStream.range(0, 10).mapToObj(i -> "alice " + i).toList();
        List<String> fromBob = IntStream.range(0, 10).mapToObj(i -> "bob " + i).toList();

        nodes.stop(bob);
        fromAlice.forEach(t -> alice.messenger().send(bob.address(), t));
        nodes.stop(alice);
        Node bobAlone = nodes.startAgain("bob");
        fromBob.forEach(t -> bobAlone.messenger().send(alice.address(), t));
        nodes.stop(bobAlone);

        // Both start together, and each dials the other from start-up (connectAll).
        List<Node> both = atOnce(() -> nodes.startAgain("alice"), () -> nodes.startAgain("bob"));
        Node alice2 = both.get(0);
        Node bob2 = both.get(1);

        TestNodes.await(bob2, "bob has alice's messages",
                () -> incoming(bob2, alice2).size() >= fromAlice.size());
        TestNodes.await(alice2, "alice has bob's messages",
                () -> incoming(alice2, bob2).size() >= fromBob.size());
        TestNodes.await(alice2, "alice's are all delivered", () -> TestNodes.allDelivered(alice2, bob2.address()));
        TestNodes.await(bob2, "bob's are all delivered", () -> TestNodes.allDelivered(bob2, alice2.address()));

        assertThat(TestNodes.texts(incoming(bob2, alice2))).containsExactlyElementsOf(fromAlice);
        assertThat(TestNodes.texts(incoming(alice2, bob2))).containsExactlyElementsOf(fromBob);
        assertThat(TestNodes.conversation(alice2, bob2.address())).extracting(ChatMessage::id).doesNotHaveDuplicates();
        assertThat(TestNodes.conversation(bob2, alice2.address())).extracting(ChatMessage::id).doesNotHaveDuplicates();
    }

    private static List<ChatMessage> incoming(Node at, Node from) {
        return TestNodes.conversation(at, from.address()).stream().filter(m -> !m.outgoing()).toList();
    }

    private static boolean bothThereAndDelivered(Node at, Node other) {
        List<ChatMessage> conv = TestNodes.conversation(at, other.address());
        return conv.size() >= 2 && conv.stream().filter(ChatMessage::outgoing).allMatch(ChatMessage::delivered);
    }

    /** Runs both tasks released by one latch, so they start within microseconds of each other. */
    private static <T> List<T> atOnce(Callable<T> first, Callable<T> second) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<T>> futures = Stream.of(first, second).map(t -> ex.submit(() -> {
                go.await();
                return t.call();
            })).toList();
            go.countDown();
            List<T> out = new ArrayList<>();
            for (Future<T> f : futures) {
                out.add(f.get());
            }
            return out;
        }
    }
}
