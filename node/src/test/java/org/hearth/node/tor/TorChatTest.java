package org.hearth.node.tor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hearth.node.tor.TorTestKit.await;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.HostPort;
import org.hearth.node.Node;
import org.hearth.node.NodeConfig;
import org.hearth.node.chat.ChatMessage;
import org.hearth.node.contacts.ContactStatus;
import org.hearth.node.transport.TransportFactory;
import org.hearth.node.transport.tor.PrivateTorNetwork;
import org.hearth.node.transport.tor.TorTransports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two nodes, each an onion service at its own address, chat over a private Tor network on loopback. */
class TorChatTest {
    @TempDir
    static Path networkDir;
    private static PrivateTorNetwork network;

    @TempDir
    Path dir;
    private TorTestKit kit;

    @BeforeAll
    static void startNetwork() throws Exception {
        network = TorTestKit.startNetwork(networkDir);
    }

    @AfterAll
    static void stopNetwork() {
        if (network != null) {
            network.close();
        }
    }

    @AfterEach
    void stopNodes() {
        if (kit != null) {
            kit.close();
        }
    }

    @Test
    void chat_overOnionServices_requestAcceptAndMessagesBothWays() throws Exception {
        kit = new TorTestKit(network, dir);
        Map<String, NodeConfig.Roles> roles = new LinkedHashMap<>();
        roles.put("alice", NodeConfig.Roles.MEMBER);
        roles.put("bob", NodeConfig.Roles.MEMBER);
        kit.start(roles);
        Node alice = kit.node("alice");
        Node bob = kit.node("bob");
        kit.assertOnionIsAddress("alice");
        kit.assertOnionIsAddress("bob");

        long t0 = System.nanoTime();
        alice.messenger().addContact(bob.endpoint());
        await(bob, () -> hasStatus(bob, alice.address(), ContactStatus.INCOMING), "bob receives the request");
        System.out.printf("first contact request over Tor took %.1f s%n", (System.nanoTime() - t0) / 1e9);
        bob.messenger().acceptContact(alice.address());
        await(alice, () -> hasStatus(alice, bob.address(), ContactStatus.ACCEPTED), "alice learns bob accepted");

        alice.messenger().send(bob.address(), "hello bob, over tor");
        await(bob, () -> texts(bob, alice.address()).contains("hello bob, over tor"), "bob reads alice");
        bob.messenger().send(alice.address(), "hello alice, over tor too");
        await(alice, () -> texts(alice, bob.address()).contains("hello alice, over tor too"), "alice reads bob");
        await(alice, () -> alice.messenger().conversation(bob.address()).stream().allMatch(ChatMessage::delivered),
                "alice's message is acknowledged");

        TorTestKit.assertLoopbackOnly();
    }

    @Test
    void chat_nodeOnAnotherNodesTor_publishesThereAndRemovesItsOnionOnClose() throws Exception {
        kit = new TorTestKit(network, dir);
        Node carol = kit.startNode("carol", NodeConfig.Roles.MEMBER, s -> s);
        HostPort carolsTor = TorTestKit.controlPort(kit.torDir("carol"));
        Node dave = kit.startNode("dave", NodeConfig.Roles.MEMBER, s -> s.withControl(carolsTor));
        assertThat(dave.endpoint().host()).isEqualTo(dave.address().text() + ".onion");
        assertThat(TorTestKit.detachedOnions(kit.torDir("carol")))
                .containsExactlyInAnyOrder(carol.address().text(), dave.address().text());

        dave.messenger().addContact(carol.endpoint());
        await(carol, () -> hasStatus(carol, dave.address(), ContactStatus.INCOMING), "carol receives the request");
        carol.messenger().acceptContact(dave.address());
        carol.messenger().send(dave.address(), "one tor, two onions");
        await(dave, () -> texts(dave, carol.address()).contains("one tor, two onions"), "dave reads carol");

        kit.stop("dave");
        // dave's onion was Detached (it must outlive a control connection), so dave removes it when it stops;
        // carol's tor keeps running for carol
        assertThat(TorTestKit.detachedOnions(kit.torDir("carol"))).containsExactly(carol.address().text());
    }

    @Test
    void chat_bothTransports_tcpOnlyPeerReachedOverTcpAfterTorFails() throws Exception {
        kit = new TorTestKit(network, dir);
        Node erin = kit.startNode("erin", NodeConfig.Roles.MEMBER, TorTransports.both(kit.settings("erin")));
        Node frank = kit.startNode("frank", NodeConfig.Roles.MEMBER, TransportFactory.TCP);
        // with both, the endpoint handed out is the TCP one, so that frank (TCP only) can reach erin
        assertThat(erin.endpoint().host()).isEqualTo("127.0.0.1");
        assertThat(TorTestKit.detachedOnions(kit.torDir("erin"))).containsExactly(erin.address().text());

        erin.messenger().addContact(frank.endpoint()); // frank has no onion: erin's tor dial fails, TCP works
        await(frank, () -> hasStatus(frank, erin.address(), ContactStatus.INCOMING), "frank receives the request");
        frank.messenger().acceptContact(erin.address());
        frank.messenger().send(erin.address(), "tcp to a node that also has an onion");
        await(erin, () -> texts(erin, frank.address()).contains("tcp to a node that also has an onion"),
                "erin reads frank");
    }

    private static boolean hasStatus(Node n, Address peer, ContactStatus s) {
        return n.messenger().contacts(true).stream().anyMatch(c -> c.address().equals(peer) && c.status() == s);
    }

    private static java.util.List<String> texts(Node n, Address with) {
        return n.messenger().conversation(with).stream().map(ChatMessage::text).toList();
    }
}
