package org.hearth.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.hearth.app.testkit.ChildNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two real node processes over real TCP on loopback, killed with SIGKILL at awkward moments. */
class EndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void chat_receiverKilledWhileSenderSends50_allArriveOnceInOrder() throws Exception {
        try (Pair p = Pair.connected(dir)) {
            chatBothWays(p);
            p.bob.kill();
            List<String> texts = IntStream.range(0, 50).mapToObj(i -> "offline message " + i).toList();
            for (String t : texts) {
                p.alice.api().post("/v1/messages", Map.of("to", p.bob.address(), "text", t));
            }
            p.bob.restart();
            p.bob.await("bob has all 52 messages", n -> n.messagesWith(p.alice.address()).size() >= 52, WAIT);
            p.alice.await("alice sees all delivered",
                    n -> n.messagesWith(p.bob.address()).stream().allMatch(m -> m.path("delivered").asBoolean()), WAIT);

            List<JsonNode> atBob = p.bob.messagesWith(p.alice.address());
            assertThat(atBob).hasSize(52);
            assertThat(atBob.subList(2, 52)).extracting(m -> m.path("text").asText()).containsExactlyElementsOf(texts);
            assertThat(atBob).extracting(m -> m.path("id").asText()).doesNotHaveDuplicates();
        }
    }

    @Test
    void chat_senderKilledRightAfterSending_restartDeliversEverythingOnce() throws Exception {
        try (Pair p = Pair.connected(dir)) {
            List<String> texts = IntStream.range(0, 50).mapToObj(i -> "burst " + i).toList();
            for (String t : texts) {
                p.alice.api().post("/v1/messages", Map.of("to", p.bob.address(), "text", t));
            }
            p.alice.kill(); // some were delivered, some acknowledged but not recorded, some never sent
            p.alice.restart();
            p.alice.await("alice sees all delivered",
                    n -> n.messagesWith(p.bob.address()).stream().allMatch(m -> m.path("delivered").asBoolean()), WAIT);

            List<JsonNode> atBob = p.bob.messagesWith(p.alice.address());
            assertThat(atBob).extracting(m -> m.path("text").asText()).containsExactlyElementsOf(texts);
            assertThat(p.alice.messagesWith(p.bob.address())).hasSize(50);
        }
    }

    private static void chatBothWays(Pair p) {
        p.alice.api().post("/v1/messages", Map.of("to", p.bob.address(), "text", "hi bob"));
        p.bob.await("bob got alice's message", n -> n.messagesWith(p.alice.address()).size() == 1, WAIT);
        p.bob.api().post("/v1/messages", Map.of("to", p.alice.address(), "text", "hi alice"));
        p.alice.await("alice got bob's reply", n -> n.messagesWith(p.bob.address()).size() == 2, WAIT);
        assertThat(p.alice.messagesWith(p.bob.address())).extracting(m -> m.path("text").asText())
                .containsExactly("hi bob", "hi alice");
        assertThat(p.bob.messagesWith(p.alice.address())).extracting(m -> m.path("sender").asText())
                .containsExactly(p.alice.address(), p.bob.address());
    }

    /** alice and bob, contacts of each other. */
    private record Pair(ChildNode alice, ChildNode bob) implements AutoCloseable {
        static Pair connected(Path dir) throws Exception {
            ChildNode.initByCli(dir.resolve("alice"), "alice");
            ChildNode.initByCli(dir.resolve("bob"), "bob");
            ChildNode alice = ChildNode.start("alice", dir.resolve("alice"));
            ChildNode bob = ChildNode.start("bob", dir.resolve("bob"));
            alice.api().post("/v1/contacts", Map.of("endpoint", bob.endpoint()));
            bob.await("request arrives", n -> n.contacts().stream()
                    .anyMatch(c -> c.path("status").asText().equals("incoming")), WAIT);
            bob.api().post("/v1/contacts/accept", Map.of("address", alice.address()));
            alice.await("acceptance arrives", n -> n.contacts().stream()
                    .anyMatch(c -> c.path("status").asText().equals("accepted")), WAIT);
            return new Pair(alice, bob);
        }

        @Override
        public void close() throws InterruptedException {
            alice.close();
            bob.close();
        }
    }
}
