package org.hearth.node.tor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.hearth.core.crypto.PassphraseKdf;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.HostPort;
import org.hearth.node.Node;
import org.hearth.node.NodeConfig;
import org.hearth.node.NodeHome;
import org.hearth.node.transport.TransportFactory;
import org.hearth.node.transport.tor.PrivateTorNetwork;
import org.hearth.node.transport.tor.TorBinaries;
import org.hearth.node.transport.tor.TorSettings;
import org.hearth.node.transport.tor.TorTransport;
import org.hearth.node.transport.tor.TorTransports;

/**
 * Nodes over a private Tor network on loopback: starts them (in parallel; each runs its own tor), checks that
 * each onion service is the node's address, that every tor stays on loopback, and closes everything.
 */
final class TorTestKit implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(90);
    private static final char[] PW = "pw".toCharArray();
    private final PrivateTorNetwork network;
    private final Path dir;
    private final Map<String, Node> nodes = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    private final long began = System.nanoTime();

    TorTestKit(PrivateTorNetwork network, Path dir) {
        this.network = network;
        this.dir = dir;
    }

    /** The network for a test class; skips the class when tor is not installed (CI installs it). */
    static PrivateTorNetwork startNetwork(Path dir) throws Exception {
        assumeTrue(TorBinaries.torInstalled(), "tor is not installed (apt-get install tor)");
        PrivateTorNetwork net = PrivateTorNetwork.start(dir, System.out::println);
        return net;
    }

    /** Starts the named nodes at once; each one's tor bootstraps and publishes its onion in parallel. */
    Map<String, Node> start(Map<String, NodeConfig.Roles> named) throws Exception {
        long t0 = System.nanoTime();
        Map<String, Future<Node>> starting = new LinkedHashMap<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (var e : named.entrySet()) {
                starting.put(e.getKey(), pool.submit(() -> startNode(e.getKey(), e.getValue())));
            }
            for (var e : starting.values()) {
                e.get();
            }
        }
        System.out.printf("%d nodes bootstrapped and published their onions in %.1f s%n", named.size(),
                (System.nanoTime() - t0) / 1e9);
        return nodes;
    }

    private Node startNode(String name, NodeConfig.Roles roles) throws Exception {
        return startNode(name, roles, s -> s);
    }

    /** Starts one node whose Tor settings {@code adjust} changes (e.g. to use another node's tor). */
    Node startNode(String name, NodeConfig.Roles roles, UnaryOperator<TorSettings> adjust) throws Exception {
        return startNode(name, roles, TorTransports.tor(adjust.apply(settings(name))));
    }

    /** Starts one node with the given transport. */
    Node startNode(String name, NodeConfig.Roles roles, TransportFactory transport) throws Exception {
        Path home = dir.resolve(name);
        NodeHome.init(home, PW, name, RandomSource.secure(), PassphraseKdf.FAST);
        Node n = Node.start(NodeConfig.of(home, PW, new HostPort("127.0.0.1", 0)).withRoles(roles)
                .withTransport(transport));
        nodes.put(name, n);
        return n;
    }

    /** A node's tor on the private network; its bootstrap steps are printed with the time since the kit began. */
    TorSettings settings(String name) {
        return TorSettings.defaults().withTorrcLines(network.torrcLinesForClients()).withProgress(
                p -> System.out.printf("%5.1f s  %s's tor %s%n", (System.nanoTime() - began) / 1e9, name, p));
    }

    Node node(String name) {
        return nodes.get(name);
    }

    /** The directory of the tor the named node started. */
    Path torDir(String name) {
        return dir.resolve(name).resolve("tor");
    }

    /**
     * The node's endpoint is its onion, and the node's own tor says (GETINFO onions/detached, asked here over a
     * control connection of our own) that the one onion service it runs is the node's Hearth address.
     */
    void assertOnionIsAddress(String name) throws Exception {
        Node n = node(name);
        assertThat(n.endpoint().host()).isEqualTo(n.address().text() + ".onion");
        assertThat(n.endpoint().port()).isEqualTo(TorTransport.VIRTUAL_PORT);
        assertThat(detachedOnions(torDir(name))).containsExactly(n.address().text());
    }

    /** The control port a node's own tor wrote to its ControlPortWriteToFile. */
    static HostPort controlPort(Path torDir) throws Exception {
        String portLine = Files.readString(torDir.resolve("control-port")).strip();
        return HostPort.parse(portLine.substring("PORT=".length()));
    }

    /** The onion services (ServiceIDs) a tor runs, asked with a minimal control client of the test's own. */
    static List<String> detachedOnions(Path torDir) throws Exception {
        HostPort control = controlPort(torDir);
        byte[] cookie = Files.readAllBytes(torDir.resolve("control_auth_cookie"));
        try (Socket s = new Socket(control.host(), control.port())) {
            OutputStream out = s.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            out.write(("AUTHENTICATE " + HexFormat.of().formatHex(cookie) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(in.readLine()).isEqualTo("250 OK");
            out.write("GETINFO onions/detached\r\n".getBytes(StandardCharsets.US_ASCII));
            List<String> ids = new ArrayList<>();
            String first = in.readLine();
            if (first.startsWith("250+")) { // several: a data block
                for (String l = in.readLine(); !l.equals("."); l = in.readLine()) {
                    ids.add(l);
                }
            } else {
                assertThat(first).startsWith("250-onions/detached=");
                String one = first.substring("250-onions/detached=".length());
                if (!one.isEmpty()) {
                    ids.add(one);
                }
            }
            assertThat(in.readLine()).isEqualTo("250 OK");
            return ids;
        }
    }

    /** Every tor this JVM started (the network's and the nodes'), and this JVM, has only loopback sockets. */
    static void assertLoopbackOnly() throws Exception {
        List<Long> tors = ProcessHandle.current().children()
                .filter(p -> p.info().command().map(c -> c.endsWith("/tor")).orElse(false))
                .map(ProcessHandle::pid).toList();
        assertThat(tors).hasSizeGreaterThanOrEqualTo(6 + 2);
        List<Long> pids = new ArrayList<>(tors);
        pids.add(ProcessHandle.current().pid());
        assertThat(LoopbackCheck.violations(pids)).isEmpty();
    }

    static void await(Node n, BooleanSupplier condition, String what) throws InterruptedException {
        assertThat(n.changes().awaitCondition(condition, WAIT)).as(what).isTrue();
    }

    /** Stops one node (and the tor it owns). */
    void stop(String name) {
        nodes.remove(name).close();
    }

    @Override
    public void close() {
        List<Node> all;
        synchronized (nodes) {
            all = new ArrayList<>(nodes.values());
            nodes.clear();
        }
        all.forEach(Node::close);
    }
}
