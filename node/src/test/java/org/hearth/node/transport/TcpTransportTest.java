package org.hearth.node.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.hearth.core.channel.ChannelHandshake;
import org.hearth.core.channel.HandshakeException;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.Endpoint;
import org.hearth.core.identity.HostPort;
import org.hearth.core.identity.Identity;
import org.hearth.core.wire.WireCodec;
import org.hearth.core.wire.proto.PeerMessage;
import org.hearth.node.Node;
import org.hearth.node.testkit.RawPeer;
import org.hearth.node.testkit.Sockets;
import org.hearth.node.testkit.TestNodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The TCP transport against real sockets on loopback: who may complete a handshake, what a listener does with
 * bytes that are not a handshake, and how long it lets a silent client hold a connection.
 */
class TcpTransportTest {
    /** Well under {@link TcpTransport#HANDSHAKE_TIMEOUT}: a close within it is a refusal, not a timeout. */
    private static final Duration PROMPTLY = Duration.ofSeconds(4);
    private static final RandomSource RANDOM = RandomSource.secure();

    @TempDir
    Path dir;
    private TestNodes nodes;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void setUp() {
        nodes = new TestNodes(dir);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        nodes.close();
    }

    @Test
    void dial_rightHostPortWrongAddress_throwsHandshakeExceptionAndListenerServesRightDialler() throws Exception {
        Node alice = nodes.start("alice");
        Node bob = nodes.start("bob");
        TcpTransport carol = transport(Identity.generate(RANDOM));
        Endpoint bobAtAlicesPort = new Endpoint(bob.address(), alice.endpoint().host(), alice.endpoint().port());

        assertThatThrownBy(() -> carol.dial(bobAtAlicesPort))
                .isInstanceOf(HandshakeException.class)
                .hasMessageContaining("not the node dialled");

        try (Connection c = carol.dial(alice.endpoint())) {
            assertThat(c.peer()).isEqualTo(alice.address());
            assertThat(c.initiatedLocally()).isTrue();
            PeerMessage first = WireCodec.decode(c.receive());
            assertThat(first.hasHello()).as("alice greets the dialler that reached her").isTrue();
            assertThat(first.getHello().getEndpointHint()).isEqualTo(new HostPort(alice.endpoint().host(),
                    alice.endpoint().port()).toString());
        }
    }

    static Stream<Arguments> garbage() {
        byte[] e = ChannelHandshake.initiator(Identity.generate(RANDOM), Identity.generate(RANDOM).address(), RANDOM)
                .writeFirst();
        return Stream.of(
                Arguments.of("an HTTP request", "GET / HTTP/1.1\r\nHost: hearth\r\n\r\n".getBytes(StandardCharsets.US_ASCII)),
                Arguments.of("an empty first message", Sockets.lengthPrefix(0)),
                Arguments.of("a first message of the wrong length", concat(Sockets.lengthPrefix(5), RANDOM.bytes(5))),
                Arguments.of("a real first message, then random bytes as the third",
                        concat(Sockets.lengthPrefix(e.length), e, Sockets.lengthPrefix(96), RANDOM.bytes(96))),
                Arguments.of("a real first message, then a third that is too short",
                        concat(Sockets.lengthPrefix(e.length), e, Sockets.lengthPrefix(10), RANDOM.bytes(10))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("garbage")
    void accept_garbageBeforeOrWithinHandshake_dropsClientAndStillAcceptsRealPeer(String what, byte[] bytes)
            throws Exception {
        Node alice = nodes.start("alice");
        Node bob = nodes.start("bob");

        try (Socket s = Sockets.connect(alice.endpoint())) {
            s.getOutputStream().write(bytes);
            s.getOutputStream().flush();
            assertThat(Sockets.closedByRemoteWithin(s, PROMPTLY)).as("alice drops a client that sent %s", what)
                    .isTrue();
        }

        TestNodes.befriend(alice, bob);
        bob.messenger().send(alice.address(), "still listening?");
        TestNodes.await(alice, "bob's message arrives",
                () -> TestNodes.texts(TestNodes.conversation(alice, bob.address())).contains("still listening?"));
    }

    @ParameterizedTest
    @ValueSource(ints = {1025, 4096, 65535})
    void accept_handshakeFrameLongerThan1KiB_refusedWithoutWaitingForItsBody(int length) throws Exception {
        Node alice = nodes.start("alice");

        try (Socket s = Sockets.connect(alice.endpoint())) {
            // Only the length: a listener without the cap would wait for the body until the handshake timeout.
            s.getOutputStream().write(Sockets.lengthPrefix(length));
            s.getOutputStream().flush();
            assertThat(Sockets.closedByRemoteWithin(s, PROMPTLY)).isTrue();
        }
        try (RawPeer peer = RawPeer.dial(alice.endpoint())) {
            assertThat(peer.receive(TestNodes.WAIT).hasHello()).isTrue();
        }
    }

    @Test
    void dial_responderSendsHandshakeFrameLongerThan1KiB_throwsHandshakeException() throws Exception {
        ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        closeables.add(fake);
        Thread.ofVirtual().start(() -> {
            try (Socket s = fake.accept()) {
                DataInputStream in = new DataInputStream(s.getInputStream());
                in.readFully(new byte[in.readUnsignedShort()]); // the initiator's first message
                s.getOutputStream().write(Sockets.lengthPrefix(2000));
                s.getOutputStream().flush();
                in.read(); // hold the connection open until the dialler gives up
            } catch (java.io.IOException ignored) {
                // the dialler closed
            }
        });
        TcpTransport dialler = transport(Identity.generate(RANDOM));
        Endpoint fakeNode = new Endpoint(Identity.generate(RANDOM).address(), "127.0.0.1", fake.getLocalPort());

        long start = System.nanoTime();
        assertThatThrownBy(() -> dialler.dial(fakeNode))
                .isInstanceOf(HandshakeException.class)
                .hasMessageContaining("too large");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(PROMPTLY);
    }

    @Test
    void accept_clientSendsNothing_droppedAfterHandshakeTimeoutWhileOthersAreServed() throws Exception {
        Node alice = nodes.start("alice");

        try (Socket silent = Sockets.connect(alice.endpoint())) {
            long start = System.nanoTime();
            // The silent client holds no lock the accept loop needs: a real peer completes meanwhile.
            try (RawPeer peer = RawPeer.dial(alice.endpoint())) {
                assertThat(peer.receive(TestNodes.WAIT).hasHello()).isTrue();
            }
            Duration bound = TcpTransport.HANDSHAKE_TIMEOUT.plusSeconds(5);
            assertThat(Sockets.closedByRemoteWithin(silent, bound)).as("dropped within %s", bound).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("not before the handshake deadline")
                    .isGreaterThanOrEqualTo(TcpTransport.HANDSHAKE_TIMEOUT.minusSeconds(1));
        }
    }

    /**
     * The handshake deadline bounds the whole handshake ("a silent peer could hold a thread forever"), so a
     * client that trickles its first message a byte at a time is dropped by then too.
     */
    @Test
    void accept_clientTricklesFirstMessage_droppedByHandshakeDeadline() throws Exception {
        Node alice = nodes.start("alice");
        byte[] e = ChannelHandshake.initiator(Identity.generate(RANDOM), alice.address(), RANDOM).writeFirst();
        byte[] first = concat(Sockets.lengthPrefix(e.length), e);
        Duration bound = TcpTransport.HANDSHAKE_TIMEOUT.plusSeconds(4);

        try (Socket s = Sockets.connect(alice.endpoint())) {
            long deadline = System.nanoTime() + bound.toNanos();
            OutputStream out = s.getOutputStream();
            boolean closed = false;
            for (int i = 0; i < first.length - 1 && !closed && System.nanoTime() < deadline; i++) {
                out.write(first[i]);
                out.flush();
                // one byte every 2 s, always within the per-read timeout; stops as soon as alice closes
                closed = Sockets.closedByRemoteWithin(s, Duration.ofSeconds(2));
            }
            assertThat(closed).as("a trickling client is dropped within %s of connecting", bound).isTrue();
        }
    }

    @Test
    void connection_payloadsAroundBucketEdges_everyFrameHasABucketSizeAndRoundTrips() throws Exception {
        Identity listenerId = Identity.generate(RANDOM);
        TcpTransport listener = transport(listenerId);
        BlockingQueue<Connection> inbound = new LinkedBlockingQueue<>();
        HostPort bound = listener.listen(new HostPort("127.0.0.1", 0), inbound::add);

        try (RawPeer peer = RawPeer.dial(new Endpoint(listenerId.address(), bound.host(), bound.port()))) {
            Connection c = inbound.poll(TestNodes.WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(c).isNotNull();
            closeables.add(c);
            assertThat(c.peer()).isEqualTo(peer.address());
            assertThat(c.initiatedLocally()).isFalse();

            int[] sizes = {0, 1, 238, 239, 1006, 1007, 4078, 4079, 16366, 16367, 65517};
            int[] expectedFrames = {256, 256, 256, 1024, 1024, 4096, 4096, 16384, 16384, 65535, 65535};
            for (int i = 0; i < sizes.length; i++) {
                byte[] payload = RANDOM.bytes(sizes[i]);
                c.send(payload);
                RawPeer.Frame f = peer.receiveFrame(TestNodes.WAIT);
                assertThat(f.ciphertextLength()).as("frame for %d bytes", sizes[i]).isEqualTo(expectedFrames[i]);
                assertThat(f.payload()).isEqualTo(payload);

                byte[] back = RANDOM.bytes(sizes[i]);
                peer.sendPayload(back);
                assertThat(c.receive()).isEqualTo(back);
            }
        }
    }

    private TcpTransport transport(Identity id) {
        TcpTransport t = new TcpTransport(id, RANDOM);
        closeables.add(t);
        return t;
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
