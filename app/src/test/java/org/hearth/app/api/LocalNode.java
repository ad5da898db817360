package org.hearth.app.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.hearth.core.crypto.PassphraseKdf;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.Endpoint;
import org.hearth.core.identity.HostPort;
import org.hearth.node.Node;
import org.hearth.node.NodeConfig;
import org.hearth.node.NodeHome;
import org.hearth.node.contacts.ContactStatus;

/**
 * A real node and its local API, in this JVM, on loopback, in a fresh home (cheap Argon2 parameters).
 * Clients reach it exactly as the CLI does: through {@code api.port} and {@code api.token} in the home.
 */
public final class LocalNode implements AutoCloseable {
    public static final String PASSPHRASE = "local node passphrase";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final Path home;
    private final Node node;
    private final ApiServer api;

    private LocalNode(Path home, Node node, ApiServer api) {
        this.home = home;
        this.node = node;
        this.api = api;
    }

    public static LocalNode start(Path home, String name) throws Exception {
        NodeHome.init(home, PASSPHRASE.toCharArray(), name, RandomSource.secure(), PassphraseKdf.FAST);
        Node node = Node.start(NodeConfig.of(home, PASSPHRASE.toCharArray(), new HostPort("127.0.0.1", 0)));
        try {
            return new LocalNode(home, node, ApiServer.start(node, home, RandomSource.secure()));
        } catch (Exception | Error e) {
            node.close();
            throw e;
        }
    }

    public Path home() {
        return home;
    }

    public Node node() {
        return node;
    }

    public String address() {
        return node.address().text();
    }

    public String endpoint() {
        return node.endpoint().toString();
    }

    public ApiClient client() {
        return ApiClient.forHome(home);
    }

    /** Waits through the node's change counter, never by sleeping; fails the test on timeout. */
    public void await(String what, BooleanSupplier condition) throws InterruptedException {
        if (!node.changes().awaitCondition(condition, WAIT)) {
            throw new AssertionError("timed out waiting for: " + what);
        }
    }

    /** Makes this node and {@code other} accepted contacts of each other. */
    public void befriend(LocalNode other) throws Exception {
        node.messenger().addContact(Endpoint.parse(other.endpoint()));
        other.await("the contact request arrives", () -> other.node.messenger().contacts(true).stream()
                .anyMatch(c -> c.address().equals(node.address())));
        other.node.messenger().acceptContact(node.address());
        await("the acceptance arrives", () -> node.messenger().contacts(true).stream()
                .anyMatch(c -> c.address().equals(other.node.address())
                        && c.status() == ContactStatus.ACCEPTED));
    }

    @Override
    public void close() {
        api.close();
        node.close();
    }
}
