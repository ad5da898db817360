package org.hearth.node.peer;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.Identity;
import org.hearth.core.wire.MessageId;
import org.hearth.core.wire.WireCodec;
import org.hearth.core.wire.proto.ChatMessage;
import org.hearth.core.wire.proto.PeerMessage;
import org.hearth.node.Node;
import org.hearth.node.testkit.RawPeer;
import org.hearth.node.testkit.TestNodes;
import org.hearth.node.testkit.Wire;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A peer that completes a real handshake and then misbehaves is disconnected, and the node keeps chatting with
 * its real contacts.
 */
class HostilePeerTest {
    private static final RandomSource RANDOM = RandomSource.secure();
    private static final Duration DROP_BOUND = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private TestNodes nodes;
    private Node alice;
    private Node bob;

    @BeforeEach
    void setUp() throws Exception {
        nodes = new TestNodes(dir);
        List<Node> started = nodes.startAll("alice", "bob");
        alice = started.get(0);
        bob = started.get(1);
        TestNodes.befriend(alice, bob);
    }

    @AfterEach
    void tearDown() {
        nodes.close();
    }

    @FunctionalInterface
    interface Misbehaviour {
        void on(RawPeer p) throws Exception;
    }

    static Stream<Arguments> misbehaviours() {
        byte[] notPadded = new byte[240];
        notPadded[0] = (byte) 0xFF; // length field far beyond the frame
        byte[] dirtyPadding = new byte[240];
        dirtyPadding[1] = 1;
        dirtyPadding[200] = 7; // padding must be zeros
        return Stream.of(
                Arguments.of("a well-formed, authentic frame of a non-bucket size",
                        (Misbehaviour) p -> p.sendUnpadded(paddedTo(284, WireCodec.encode(Wire.hello(""))))),
                Arguments.of("a random frame of a non-bucket size",
                        (Misbehaviour) p -> p.sendRawFrame(RANDOM.bytes(300))),
                Arguments.of("a one-byte frame", (Misbehaviour) p -> p.sendRawFrame(RANDOM.bytes(1))),
                Arguments.of("a bucket-size frame of garbage", (Misbehaviour) p -> p.sendRawFrame(RANDOM.bytes(256))),
                Arguments.of("a largest-bucket frame of garbage", (Misbehaviour) p -> p.sendRawFrame(RANDOM.bytes(65535))),
                Arguments.of("an encrypted frame whose length field exceeds it",
                        (Misbehaviour) p -> p.sendUnpadded(notPadded)),
                Arguments.of("an encrypted frame with non-zero padding",
                        (Misbehaviour) p -> p.sendUnpadded(dirtyPadding)),
                Arguments.of("an encrypted payload that is not protobuf",
                        (Misbehaviour) p -> p.sendPayload(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F})),
                Arguments.of("an encrypted empty payload (no body)", (Misbehaviour) p -> p.sendPayload(new byte[0])),
                Arguments.of("a peer message of wire version 2",
                        (Misbehaviour) p -> p.send(Wire.hello("").toBuilder().setVersion(2).build())),
                Arguments.of("a chat whose id is 3 bytes", (Misbehaviour) p -> p.send(Wire.message()
                        .setChat(ChatMessage.newBuilder()
                                .setId(ByteString.copyFrom(new byte[3]))
                                .setOverlay(ByteString.copyFromUtf8("{\"o\":1,\"d\":\"x\"}")))
                        .build())),
                Arguments.of("a chat whose overlay is not JSON", (Misbehaviour) p -> p.send(Wire.message()
                        .setChat(ChatMessage.newBuilder()
                                .setId(WireCodec.bytes(MessageId.random(RANDOM).bytes()))
                                .setOverlay(ByteString.copyFromUtf8("not json")))
                        .build())));
    }

    /** {@code u16be(len) ‖ payload ‖ zeros} of {@code size} bytes: padding as a sender does, to any size. */
    private static byte[] paddedTo(int size, byte[] payload) {
        byte[] plain = new byte[size];
        plain[0] = (byte) (payload.length >>> 8);
        plain[1] = (byte) payload.length;
        System.arraycopy(payload, 0, plain, 2, payload.length);
        return plain;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("misbehaviours")
    void readLoop_peerSendsMalformedFrameOrMessage_disconnectsItAndKeepsChattingWithContact(String what,
            Misbehaviour misbehave) throws Exception {
        Address malloryAddress;
        try (RawPeer mallory = RawPeer.dial(alice.endpoint())) {
            malloryAddress = mallory.address();
            PeerMessage greeting = mallory.receive(TestNodes.WAIT);
            assertThat(greeting.hasHello()).as("alice registered the channel").isTrue();

            misbehave.on(mallory);

            assertThat(mallory.closedByNodeWithin(DROP_BOUND)).as("alice drops a peer that sent %s", what).isTrue();
        }
        assertThat(TestNodes.contact(alice, malloryAddress)).as("nothing stored about mallory").isEmpty();

        alice.messenger().send(bob.address(), "after " + what);
        bob.messenger().send(alice.address(), "reply to " + what);
        TestNodes.await(bob, "alice's message arrives",
                () -> TestNodes.texts(TestNodes.conversation(bob, alice.address())).contains("after " + what));
        TestNodes.await(alice, "bob's message arrives",
                () -> TestNodes.texts(TestNodes.conversation(alice, bob.address())).contains("reply to " + what));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("misbehaviours")
    void readLoop_peerMisbehavedOnce_canReconnectAndBeHeard(String what, Misbehaviour misbehave) throws Exception {
        Identity mallory = Identity.generate(RANDOM);
        try (RawPeer first = RawPeer.dial(alice.endpoint(), mallory)) {
            first.receive(TestNodes.WAIT);
            misbehave.on(first);
            assertThat(first.closedByNodeWithin(DROP_BOUND)).isTrue();
        }
        try (RawPeer again = RawPeer.dial(alice.endpoint(), mallory)) {
            MessageId id = MessageId.random(RANDOM);
            again.send(Wire.contactRequest(id, "mallory"));
            again.receiveMatching(m -> Wire.isAckOf(m, id), TestNodes.WAIT);
        }
        TestNodes.await(alice, "the request is stored",
                () -> TestNodes.contact(alice, mallory.address()).isPresent());
    }
}
