package org.hearth.node.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.Endpoint;
import org.hearth.core.identity.HostPort;
import org.hearth.core.identity.Identity;
import org.hearth.core.wire.MessageId;
import org.hearth.core.wire.proto.PeerMessage;
import org.hearth.node.Node;
import org.hearth.node.UserError;
import org.hearth.node.contacts.ContactStatus;
import org.hearth.node.testkit.RawPeer;
import org.hearth.node.testkit.Sockets;
import org.hearth.node.testkit.TestNodes;
import org.hearth.node.testkit.Wire;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Contacts and 1:1 chat between in-process nodes over loopback TCP, with real encrypted stores. */
class MessengerIntegrationTest {
    private static final RandomSource RANDOM = RandomSource.secure();

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

    // ---- contacts ----

    @Test
    void addContact_bothSidesSendRequests_bothEndAcceptedAndChat() throws Exception {
        Node alice = nodes.start("alice");
        Node bob = nodes.start("bob");
        // alice's request waits in her outbox: she has a stale port for bob and cannot reach him
        Endpoint stale = new Endpoint(bob.address(), TestNodes.LOOPBACK, Sockets.unusedPort());
        alice.messenger().addContact(stale);
        assertThat(TestNodes.status(alice, bob.address())).contains(ContactStatus.REQUESTED);

        bob.messenger().addContact(alice.endpoint()); // bob's request reaches alice; her own goes back on his channel

        TestNodes.awaitStatus(alice, bob.address(), ContactStatus.ACCEPTED);
        TestNodes.awaitStatus(bob, alice.address(), ContactStatus.ACCEPTED);
        TestNodes.await(alice, "alice learns bob's real port", () -> TestNodes.contact(alice, bob.address())
                .flatMap(c -> c.endpointHint()).map(HostPort::port).orElse(0) == bob.endpoint().port());
        assertThat(TestNodes.contact(alice, bob.address()).orElseThrow().name()).isEqualTo("bob");
        assertThat(TestNodes.contact(bob, alice.address()).orElseThrow().name()).isEqualTo("alice");

        alice.messenger().send(bob.address(), "we both asked");
        TestNodes.await(bob, "alice's message arrives",
                () -> TestNodes.texts(TestNodes.conversation(bob, alice.address())).equals(List.of("we both asked")));
    }

    @Test
    void acceptContact_withoutIncomingRequest_throwsUserError() throws Exception {
        Node alice = nodes.start("alice");
        Node bob = nodes.start("bob");

        assertThatThrownBy(() -> alice.messenger().acceptContact(bob.address()))
                .isInstanceOfSatisfying(UserError.class, e -> assertThat(e.kind()).isEqualTo(UserError.Kind.NOT_FOUND));
        alice.messenger().addContact(bob.endpoint());
        assertThatThrownBy(() -> alice.messenger().acceptContact(bob.address()))
                .isInstanceOfSatisfying(UserError.class, e -> assertThat(e.kind()).isEqualTo(UserError.Kind.CONFLICT));
    }

    // ---- sending ----

    @Test
    void send_toContactNotAcceptedOrUnknown_throwsUserErrorAndStoresNothing() throws Exception {
        Node alice = nodes.start("alice");
        Node bob = nodes.start("bob");
        alice.messenger().addContact(bob.endpoint());
        TestNodes.awaitStatus(bob, alice.address(), ContactStatus.INCOMING);

        assertThatThrownBy(() -> alice.messenger().send(bob.address(), "too early"))
                .isInstanceOfSatisfying(UserError.class, e -> assertThat(e.kind()).isEqualTo(UserError.Kind.CONFLICT));
        assertThatThrownBy(() -> bob.messenger().send(alice.address(), "not accepted yet"))
                .isInstanceOfSatisfying(UserError.class, e -> assertThat(e.kind()).isEqualTo(UserError.Kind.CONFLICT));
        assertThatThrownBy(() -> alice.messenger().send(Identity.generate(RANDOM).address(), "who?"))
                .isInstanceOfSatisfying(UserError.class, e -> assertThat(e.kind()).isEqualTo(UserError.Kind.NOT_FOUND));
        assertThatThrownBy(() -> alice.messenger().send(bob.address(), ""))
                .isInstanceOfSatisfying(UserError.class, e -> assertThat(e.kind()).isEqualTo(UserError.Kind.INVALID));
        assertThat(alice.messenger().conversation(bob.address())).isEmpty();
        assertThat(bob.messenger().conversation(alice.address())).isEmpty();
    }

    @Test
    void send_200QuickMessages_receiverStoresThemOnceInOrder() throws Exception {
        Node alice = nodes.start("alice");
        Node bob = nodes.start("bob");
        TestNodes.befriend(alice, bob);
        List<String> texts = IntStream.range(0, 200).mapToObj(i -> "quick " + i).toList();

        texts.forEach(t -> alice.messenger().send(bob.address(), t));

        TestNodes.await(bob, "all 200 arrive", () -> TestNodes.conversation(bob, alice.address()).size() >= 200);
        TestNodes.await(alice, "all 200 delivered", () -> TestNodes.allDelivered(alice, bob.address()));
        List<ChatMessage> atBob = bob.messenger().conversation(alice.address());
        assertThat(TestNodes.texts(atBob)).containsExactlyElementsOf(texts);
        assertThat(atBob).extracting(ChatMessage::id).doesNotHaveDuplicates();
        assertThat(atBob).allSatisfy(m -> assertThat(m.sender()).isEqualTo(alice.address()));
        assertThat(TestNodes.texts(alice.messenger().conversation(bob.address()))).containsExactlyElementsOf(texts);
    }

    @Test
    void send_whileReceiverStopped_deliveredOnceAfterItRestartsOnSamePort() throws Exception {
        Node alice = nodes.start("alice");
        Node bob = nodes.start("bob");
        TestNodes.befriend(alice, bob);
        alice.messenger().send(bob.address(), "before");
        TestNodes.await(alice, "first delivered", () -> TestNodes.allDelivered(alice, bob.address()));
        int port = bob.endpoint().port();

        nodes.stop(bob);
        List<String> meanwhile = IntStream.range(0, 30).mapToObj(i -> "while you were out " + i).toList();
        meanwhile.forEach(t -> alice.messenger().send(bob.address(), t));
        assertThat(alice.messenger().conversation(bob.address())).filteredOn(m -> !m.delivered()).hasSize(30);
        Node bob2 = nodes.startAgain("bob");
        assertThat(bob2.endpoint().port()).isEqualTo(port);

        TestNodes.await(bob2, "the 30 arrive", () -> TestNodes.conversation(bob2, alice.address()).size() >= 31);
        TestNodes.await(alice, "alice sees them delivered", () -> TestNodes.allDelivered(alice, bob.address()));

        // Restart once more: nothing is delivered a second time.
        Node bob3 = nodes.restart(bob2);
        alice.messenger().send(bob.address(), "after the second restart");
        TestNodes.await(bob3, "the marker arrives", () -> TestNodes.texts(TestNodes.conversation(bob3,
                alice.address())).contains("after the second restart"));
        List<ChatMessage> atBob = bob3.messenger().conversation(alice.address());
        List<String> expected = new ArrayList<>();
        expected.add("before");
        expected.addAll(meanwhile);
        expected.add("after the second restart");
        assertThat(TestNodes.texts(atBob)).containsExactlyElementsOf(expected);
        assertThat(atBob).extracting(ChatMessage::id).doesNotHaveDuplicates();
    }

    // ---- what peers may do ----

    @Test
    void onChat_fromStrangerThenFromUnacceptedRequester_notStoredNotAcknowledgedUntilAccepted() throws Exception {
        Node alice = nodes.start("alice");
        try (RawPeer mallory = RawPeer.dial(alice.endpoint())) {
            MessageId spam = MessageId.random(RANDOM);
            MessageId request = MessageId.random(RANDOM);
            mallory.send(Wire.chat(spam, "buy now"));
            mallory.send(Wire.contactRequest(request, "mallory"));
            // alice handles a channel's messages in order: the ack of the request comes after the chat was handled
            List<PeerMessage> seen = receiveUntilAckOf(mallory, request);
            assertThat(seen).noneMatch(m -> Wire.isAckOf(m, spam));
            TestNodes.awaitStatus(alice, mallory.address(), ContactStatus.INCOMING);
            assertThat(alice.messenger().conversation(mallory.address())).as("the stranger's chat").isEmpty();

            MessageId early = MessageId.random(RANDOM);
            MessageId again = MessageId.random(RANDOM);
            mallory.send(Wire.chat(early, "hello?"));
            mallory.send(Wire.contactRequest(again, "mallory"));
            assertThat(receiveUntilAckOf(mallory, again)).noneMatch(m -> Wire.isAckOf(m, early));
            assertThat(alice.messenger().conversation(mallory.address())).as("chat before acceptance").isEmpty();

            alice.messenger().acceptContact(mallory.address());
            mallory.receiveMatching(PeerMessage::hasContactAccept, TestNodes.WAIT);
            mallory.send(Wire.chat(early, "hello?")); // the sender kept it, and resends once accepted
            mallory.receiveMatching(m -> Wire.isAckOf(m, early), TestNodes.WAIT);
            assertThat(TestNodes.texts(alice.messenger().conversation(mallory.address()))).containsExactly("hello?");
        }
    }

    @Test
    void onAck_fromOneContactForItemAddressedToAnother_itemKeptAndDeliveredLater() throws Exception {
        Node alice = nodes.start("alice");
        Node bob = nodes.start("bob");
        TestNodes.befriend(alice, bob);
        try (RawPeer mallory = RawPeer.dial(alice.endpoint())) {
            MessageId request = MessageId.random(RANDOM);
            mallory.send(Wire.contactRequest(request, "mallory"));
            TestNodes.awaitStatus(alice, mallory.address(), ContactStatus.INCOMING);
            alice.messenger().acceptContact(mallory.address());
            mallory.receiveMatching(PeerMessage::hasContactAccept, TestNodes.WAIT);

            nodes.stop(bob);
            ChatMessage forBob = alice.messenger().send(bob.address(), "for bob only");
            ChatMessage forMallory = alice.messenger().send(mallory.address(), "for mallory");
            PeerMessage atMallory = mallory.receiveMatching(PeerMessage::hasChat, TestNodes.WAIT);
            assertThat(atMallory.getChat().getId().toByteArray()).isEqualTo(forMallory.id().bytes().toByteArray());

            mallory.send(Wire.ack(forBob.id()));      // not hers to acknowledge
            mallory.send(Wire.ack(forMallory.id()));  // hers: a control that acks do work
            TestNodes.await(alice, "mallory's own ack is applied", () -> TestNodes.allDelivered(alice,
                    mallory.address()));
            assertThat(alice.messenger().conversation(bob.address()))
                    .filteredOn(m -> m.id().equals(forBob.id()))
                    .singleElement()
                    .satisfies(m -> assertThat(m.delivered()).as("bob's message after mallory's ack").isFalse());
        }

        Node bob2 = nodes.startAgain("bob");
        TestNodes.await(bob2, "bob still gets it: the outbox item survived",
                () -> TestNodes.texts(TestNodes.conversation(bob2, alice.address())).contains("for bob only"));
        TestNodes.await(alice, "and alice sees it delivered", () -> TestNodes.allDelivered(alice, bob.address()));
    }

    // ---- limits that must agree between sender and receiver ----

    /**
     * A display name {@code NodeHome.init} accepts must be one peers accept in a contact request: either init
     * refuses it up front, or the request arrives (with the name, or a prefix of it if the node shortens it).
     */
    @Test
    void addContact_displayNameOf40NonAsciiCharacters_requestArrivesWithName() throws Exception {
        String name = "é".repeat(40); // 40 characters, 80 UTF-8 bytes
        Node alice;
        try {
            alice = nodes.start("alice", name);
        } catch (UserError refusedUpFront) {
            assertThat(refusedUpFront.kind()).isEqualTo(UserError.Kind.INVALID);
            return;
        }
        Node bob = nodes.start("bob");

        alice.messenger().addContact(bob.endpoint());

        TestNodes.await(bob, "alice's request arrives", () -> TestNodes.contact(bob, alice.address()).isPresent(),
                Duration.ofSeconds(10));
        assertThat(TestNodes.contact(bob, alice.address()).orElseThrow().name()).isNotEmpty()
                .satisfies(received -> assertThat(name).startsWith(received));
    }

    /**
     * A text {@code send} accepts must be one the receiver accepts: either it is refused up front, or it is
     * delivered and does not block the messages queued after it.
     */
    @Test
    void send_textOf3000ControlCharacters_deliveredOrRefusedAndLaterMessagesStillFlow() throws Exception {
        Node alice = nodes.start("alice");
        Node bob = nodes.start("bob");
        TestNodes.befriend(alice, bob);
        String text = "\u0001".repeat(3000); // 3000 characters, under the 4000 limit; 18000 bytes as JSON

        boolean refused = false;
        try {
            alice.messenger().send(bob.address(), text);
        } catch (UserError e) {
            assertThat(e.kind()).isEqualTo(UserError.Kind.INVALID);
            refused = true;
        }
        alice.messenger().send(bob.address(), "next");

        List<String> expected = refused ? List.of("next") : List.of(text, "next");
        TestNodes.await(bob, "bob gets " + (refused ? "the next message" : "both messages"),
                () -> TestNodes.conversation(bob, alice.address()).size() >= expected.size(), Duration.ofSeconds(10));
        assertThat(TestNodes.texts(bob.messenger().conversation(alice.address()))).containsExactlyElementsOf(expected);
    }

    private static List<PeerMessage> receiveUntilAckOf(RawPeer peer, MessageId id) throws Exception {
        List<PeerMessage> seen = new ArrayList<>();
        long deadline = System.nanoTime() + TestNodes.WAIT.toNanos();
        while (true) {
            PeerMessage m = peer.receive(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())));
            seen.add(m);
            if (Wire.isAckOf(m, id)) {
                return seen;
            }
        }
    }
}
