package org.hearth.app.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hearth.app.testkit.ChildNode.list;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.hearth.app.api.ApiException;
import org.hearth.app.testkit.ChildNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Managed groups end to end: an untrusted host ({@code hearth host}), a manager bot and three members
 * ({@code hearth run}), each its own OS process with its own encrypted store, over real TCP on 127.0.0.1,
 * driven only through the local HTTP API. Six JVM starts in all (five nodes, one restart after SIGKILL).
 *
 * <p>One story, in order, because each step needs the group the previous ones built:
 * <ol>
 *   <li>with the default 10 s minimum rotation interval, two adds and a policy change land in one epoch;</li>
 *   <li>with rotate-after-messages 3, three messages make the bot rotate on its own;</li>
 *   <li>a removed member gets no later key, reads no later message, shows "removed" and cannot post (checked
 *       at the end, across everything that follows);</li>
 *   <li>a member killed with SIGKILL misses messages across a rotation and, on return, has every message it
 *       is entitled to (since-join catch-up) exactly once.</li>
 * </ol>
 */
class GroupEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failure leaves the nodes' logs (node.log) behind
    Path dir;

    private final List<ChildNode> processes = new ArrayList<>();
    private ChildNode host;
    private ChildNode bot;
    private ChildNode alice;
    private ChildNode bob;
    private ChildNode carol;
    private String group;
    private final List<String> sent = new ArrayList<>();

    @AfterEach
    void stopAll() throws InterruptedException {
        for (ChildNode p : processes) {
            p.close();
        }
    }

    @Test
    void managedGroup_fiveProcessesOverTcp_batchingRotationRemovalAndOfflineCatchupHold() throws Exception {
        startAll();

        twoAddsWithinTheMinimumInterval_landInOneEpoch();
        joinAll();
        rotateAfterThreeMessages_botRotatesWithoutBeingAsked();
        long removalEpoch = removeBob_bobIsLockedOutOfLaterEpochs();
        offlineCarol_returnsWithEveryMessageOnce();

        // bob, removed, saw none of it: no key and no text from the removal epoch on, to the end of the story
        assertThat(keyEpochs(bob)).allSatisfy(e -> assertThat(e).isLessThan(removalEpoch));
        assertThat(messages(bob)).allSatisfy(m -> assertThat(m.path("epoch").asLong()).isLessThan(removalEpoch));
        assertThat(status(bob).path("status").asText()).isEqualTo("removed");
        // last, so that a failure here leaves the rest of the story checked
        assertThatThrownBy(() -> send(bob, "let me back in")).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isNotEqualTo(200);
            assertThat(e.getMessage()).contains("removed");
        });
        assertThat(texts(bob)).doesNotContain("let me back in");
    }

    /** The default policy batches changes for 10 s: both adds and the policy change go out as epoch 1. */
    private void twoAddsWithinTheMinimumInterval_landInOneEpoch() {
        group = bot.api().post("/v1/groups", Map.of("name", "e2e", "host", host.endpoint())).path("groupId").asText();
        assertThat(status(bot).path("policy").path("minRotationInterval").asText()).isEqualTo("10s");

        post(bot, "members", Map.of("endpoint", alice.endpoint(), "readOnly", "false"));
        post(bot, "members", Map.of("endpoint", bob.endpoint(), "readOnly", "false"));
        post(bot, "policy", Map.of("minRotationInterval", "0s", "rotateEvery", "0s", "rotateAfterMessages", "0",
                "keyCatchup", "since-join"));
        assertThat(epoch(bot)).as("changes inside the minimum interval wait").isZero();

        bot.await("the batched epoch", b -> epoch(b) >= 1, WAIT);
        assertThat(epoch(bot)).as("two adds and a policy change, one epoch").isEqualTo(1);
        assertThat(members(bot)).containsExactlyInAnyOrder(alice.address(), bob.address());
        assertThat(status(bot).path("policy").path("minRotationInterval").asText()).isEqualTo("0s");
    }

    private void joinAll() {
        accept(alice, 1);
        accept(bob, 1);
        post(bot, "members", Map.of("endpoint", carol.endpoint(), "readOnly", "false"));
        assertThat(epoch(bot)).as("with a 0 s interval an add rotates at once").isEqualTo(2);
        accept(carol, 2);
        awaitKey(alice, 2);
        awaitKey(bob, 2);
    }

    private void rotateAfterThreeMessages_botRotatesWithoutBeingAsked() {
        post(bot, "policy", Map.of("rotateAfterMessages", "3"));
        long counted = epoch(bot);
        for (ChildNode m : List.of(alice, bob, carol)) {
            awaitKey(m, counted); // each sends in the epoch the bot counts
        }
        for (ChildNode m : List.of(alice, bob, carol)) {
            assertThat(send(m, m.name + " counts")).isEqualTo("stored");
        }
        bot.await("a rotation after three messages", b -> epoch(b) > counted, WAIT);
        assertThat(messages(bot)).filteredOn(m -> m.path("text").asText().endsWith(" counts"))
                .extracting(m -> m.path("epoch").asLong()).containsExactly(counted, counted, counted);
    }

    private long removeBob_bobIsLockedOutOfLaterEpochs() {
        post(bot, "remove", Map.of("address", bob.address()));
        long removal = epoch(bot);
        bob.await("bob learns he was removed", b -> status(b).path("status").asText().equals("removed"), WAIT);
        awaitKey(alice, removal);
        awaitKey(carol, removal);

        assertThat(send(alice, "bob cannot read this")).isEqualTo("stored");
        carol.await("carol reads alice", c -> texts(c).contains("bob cannot read this"), WAIT);
        assertThat(keyEpochs(bob)).as("bob's keys").allSatisfy(e -> assertThat(e).isLessThan(removal));
        assertThat(texts(bob)).doesNotContain("bob cannot read this");
        return removal;
    }

    private void offlineCarol_returnsWithEveryMessageOnce() throws Exception {
        long carolJoined = 2;
        carol.kill();
        List<String> whileAway = List.of("while carol was away 1", "while carol was away 2",
                "while carol was away 3 (from the bot)");
        assertThat(send(alice, whileAway.get(0))).isEqualTo("stored");
        long before = epoch(bot);
        post(bot, "rotate", Map.of());
        long rotated = epoch(bot);
        assertThat(rotated).isGreaterThan(before);
        awaitKey(alice, rotated);
        assertThat(send(alice, whileAway.get(1))).isEqualTo("stored");
        assertThat(send(bot, whileAway.get(2))).isEqualTo("stored");
        alice.await("alice has everything sent while carol was away", a -> texts(a).containsAll(whileAway), WAIT);

        carol.restart();
        // carol is entitled to every message of the epochs since she joined: all that this story posted
        carol.await("carol catches up", c -> texts(c).containsAll(sent), WAIT);

        List<JsonNode> atCarol = messages(carol);
        assertThat(atCarol).extracting(m -> m.path("id").asText()).doesNotHaveDuplicates();
        assertThat(atCarol).extracting(m -> m.path("text").asText()).containsExactlyInAnyOrderElementsOf(sent);
        assertThat(atCarol).allSatisfy(m -> assertThat(m.path("epoch").asLong()).isGreaterThanOrEqualTo(carolJoined));
        // alice, who never left, has the same messages under the same ids
        alice.await("alice has every message", a -> texts(a).containsAll(sent), WAIT);
        assertThat(ids(carol)).isEqualTo(ids(alice));
        assertThat(keyEpochs(carol)).contains(before, rotated);
        assertThat(status(carol).path("status").asText()).isEqualTo("joined");
    }

    // ---- processes ----

    private void startAll() throws Exception {
        for (String name : List.of("host", "bot", "alice", "bob", "carol")) {
            ChildNode.init(dir.resolve(name), name);
        }
        host = launch("host", ChildNode.Mode.HOST);
        bot = launch("bot", ChildNode.Mode.RUN);
        alice = launch("alice", ChildNode.Mode.RUN);
        bob = launch("bob", ChildNode.Mode.RUN);
        carol = launch("carol", ChildNode.Mode.RUN);
        for (ChildNode p : processes) {
            p.awaitListening();
        }
    }

    private ChildNode launch(String name, ChildNode.Mode mode) throws Exception {
        ChildNode p = ChildNode.launch(name, dir.resolve(name), mode);
        processes.add(p);
        return p;
    }

    // ---- the group through the API ----

    private void accept(ChildNode m, long epoch) {
        m.await("an invite", p -> list(p.api().get("/v1/groups/invites", Map.of())).stream()
                .anyMatch(i -> i.path("groupId").asText().equals(group)), WAIT);
        post(m, "accept", Map.of());
        awaitKey(m, epoch);
    }

    /** Waits until the member is joined at the epoch (or later) and holds that epoch's key. */
    private void awaitKey(ChildNode m, long epoch) {
        m.await("joined with the key of epoch " + epoch, p -> {
            JsonNode s = status(p);
            return s.path("status").asText().equals("joined") && s.path("epoch").asLong() >= epoch
                    && keyEpochs(p).contains(epoch);
        }, WAIT);
    }

    private JsonNode post(ChildNode p, String sub, Map<String, String> body) {
        return p.api().post("/v1/groups/" + group + "/" + sub, body);
    }

    /** Posts a message; the ones the API took are remembered: carol, who joined before all of them, is owed each. */
    private String send(ChildNode p, String text) {
        String outcome = post(p, "messages", Map.of("text", text)).path("outcome").asText();
        sent.add(text);
        return outcome;
    }

    private JsonNode status(ChildNode p) {
        return p.api().get("/v1/groups/" + group + "/status", Map.of());
    }

    private long epoch(ChildNode p) {
        return status(p).path("epoch").asLong();
    }

    private List<Long> keyEpochs(ChildNode p) {
        return list(status(p).path("keyEpochs")).stream().map(JsonNode::asLong).toList();
    }

    private List<String> members(ChildNode p) {
        return list(p.api().get("/v1/groups/" + group + "/members", Map.of())).stream()
                .map(m -> m.path("address").asText()).toList();
    }

    private List<JsonNode> messages(ChildNode p) {
        return list(p.api().get("/v1/groups/" + group + "/messages", Map.of()));
    }

    private List<String> texts(ChildNode p) {
        return messages(p).stream().map(m -> m.path("text").asText()).toList();
    }

    private Set<String> ids(ChildNode p) {
        return messages(p).stream().map(m -> m.path("id").asText()).collect(Collectors.toSet());
    }
}
