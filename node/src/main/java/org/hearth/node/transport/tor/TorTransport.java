package org.hearth.node.transport.tor;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.hearth.core.channel.HandshakeException;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.HostPort;
import org.hearth.core.identity.Identity;
import org.hearth.node.transport.ChannelSockets;
import org.hearth.node.transport.Connection;
import org.hearth.node.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tor: the node is an onion service whose address is its Hearth address (published with ADD_ONION from its own
 * identity key), and it dials peers by address alone through tor's SOCKS port. Either it starts and owns a tor
 * process (DataDirectory {@code HOME/tor}) or it uses an existing tor's control port.
 */
public final class TorTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(TorTransport.class);
    /** The onion service's port; peers dial {@code ADDRESS.onion:VIRTUAL_PORT}. */
    public static final int VIRTUAL_PORT = 7650;
    /** tor ignores NEWNYM more often than this anyway. */
    private static final Duration NEWNYM_INTERVAL = Duration.ofSeconds(10);

    private final Identity identity;
    private final ChannelSockets sockets;
    private final TorSettings settings;
    private final Optional<TorProcess> process;
    private final TorControl control;
    private final TorEvents events;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private volatile HostPort socks;
    private volatile ServerSocket server;
    private volatile boolean published;
    private long lastNewnym;

    private TorTransport(Identity identity, RandomSource random, TorSettings settings, Optional<TorProcess> process,
            TorControl control, TorEvents events) {
        this.identity = identity;
        this.sockets = new ChannelSockets(identity, random);
        this.settings = settings;
        this.process = process;
        this.control = control;
        this.events = events;
    }

    /**
     * Starts (or connects to) tor and waits until it has bootstrapped, telling {@code settings.progress()} each
     * step. Fails with tor's own last warning when tor is missing, exits or does not finish in time.
     */
    public static TorTransport start(Identity identity, RandomSource random, Path home, TorSettings settings)
            throws IOException {
        Optional<TorProcess> process = Optional.empty();
        TorControl control = null;
        try {
            HostPort controlPort;
            if (settings.control().isPresent()) {
                controlPort = settings.control().get();
            } else {
                process = Optional.of(TorProcess.start(TorBinaries.tor(settings.binary()), home.resolve("tor"),
                        settings.torrcLines()));
                controlPort = process.get().controlPort();
            }
            control = TorControl.connect(controlPort);
            control.authenticate();
            if (process.isPresent()) {
                // our tor also exits when this control connection closes, whatever happens to this JVM
                control.checked("TAKEOWNERSHIP", "TAKEOWNERSHIP");
            }
            TorEvents events = new TorEvents(control);
            TorTransport t = new TorTransport(identity, random, settings, process, control, events);
            t.awaitBootstrap();
            t.socks = socksPort(control);
            return t;
        } catch (IOException | RuntimeException e) {
            if (control != null) {
                control.close();
            }
            process.ifPresent(TorProcess::close);
            throw e;
        }
    }

    /** Listens on 127.0.0.1 (tor connects there; {@code bind}'s port is kept) and publishes the onion service. */
    @Override
    public HostPort listen(HostPort bind, Consumer<Connection> onInbound) throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), bind.port()), 128);
        server = s;
        threads.submit(() -> sockets.serve(s, onInbound, threads));
        publish(s.getLocalPort());
        return new HostPort(identity.address().text() + ".onion", VIRTUAL_PORT);
    }

    @Override
    public Connection dial(Address peer, Optional<HostPort> hint) throws IOException, HandshakeException {
        String onion = peer.text() + ".onion";
        int port = hint.filter(h -> h.host().equalsIgnoreCase(onion)).map(HostPort::port).orElse(VIRTUAL_PORT);
        Socket socket;
        try {
            socket = Socks5.connect(socks, onion, port, settings.dialTimeout());
        } catch (Socks5.SocksException e) {
            if (e.onionFailure()) {
                forgetOnionFailures();
            }
            throw new IOException("dial " + peer.scrubbed() + " over tor: " + e.getMessage(), e);
        }
        return sockets.initiate(socket, peer);
    }

    @Override
    public void close() {
        ServerSocket s = server;
        if (s != null) {
            ChannelSockets.closeQuietly(s);
        }
        if (process.isEmpty() && published && !control.isClosed()) {
            try {
                control.command("DEL_ONION " + identity.address().text()); // Detach: it would outlive us
            } catch (IOException e) {
                LOG.debug("DEL_ONION failed: {}", e.getMessage());
            }
        }
        control.close();
        process.ifPresent(TorProcess::close);
        threads.shutdownNow();
    }

    private void awaitBootstrap() throws IOException {
        long deadline = System.nanoTime() + settings.bootstrapTimeout().toNanos();
        BootstrapStatus reported = null;
        while (true) {
            long seen = events.bootstrapEvents();
            BootstrapStatus now;
            try {
                now = BootstrapStatus.parse(control.getInfo("status/bootstrap-phase"));
            } catch (TorException e) {
                throw new TorException("tor stopped answering while bootstrapping (" + e.getMessage() + "); tor said: "
                        + lastWords(), e);
            }
            if (now != null && !now.equals(reported)) {
                settings.progress().accept(now);
                reported = now;
            }
            if (now != null && now.done()) {
                return;
            }
            if (process.isPresent() && !process.get().isAlive()) {
                throw new TorException("tor exited while bootstrapping: " + lastWords());
            }
            if (System.nanoTime() > deadline) {
                throw new TorException("tor did not bootstrap within " + settings.bootstrapTimeout().toSeconds()
                        + " s (" + (now == null ? "no progress" : now) + "); tor said: " + lastWords());
            }
            events.awaitBootstrapEvent(seen, Duration.ofMillis(500));
        }
    }

    /** ADD_ONION with the identity key; checks the address tor derived; waits for the descriptor upload. */
    private void publish(int localPort) throws IOException {
        String address = identity.address().text();
        long seen = events.uploads(address);
        String add = "ADD_ONION " + OnionKey.addOnionKey(identity) + " Flags=Detach Port=" + VIRTUAL_PORT
                + ",127.0.0.1:" + localPort;
        TorControl.Reply r = control.command(add);
        if (r.status() == 550 && r.last().toLowerCase(java.util.Locale.ROOT).contains("collision")) {
            // a previous run of this node on the same (external) tor left its detached onion behind
            control.command("DEL_ONION " + address);
            r = control.command(add);
        }
        if (!r.ok()) {
            throw new TorException("tor refused to publish the onion service: " + r.status() + " " + r.last());
        }
        String serviceId = r.lines().stream().filter(l -> l.startsWith("ServiceID=")).map(l -> l.substring(10))
                .findFirst().orElseThrow(() -> new TorException("tor's ADD_ONION answer has no ServiceID"));
        published = true;
        if (!serviceId.equals(address)) {
            throw new TorException("tor published onion " + serviceId.substring(0, 6) + "… but this node's address is "
                    + identity.address().scrubbed() + ": the identity key was not passed to tor as its address");
        }
        LOG.debug("onion service added; waiting for its descriptor to reach a directory");
        if (!events.awaitUpload(address, seen, settings.publishTimeout())) {
            throw new TorException("the onion service descriptor was not uploaded within "
                    + settings.publishTimeout().toSeconds() + " s" + events.uploadFailure(address)
                    + "; tor said: " + lastWords());
        }
        LOG.info("onion service published");
    }

    /**
     * tor remembers a failed descriptor fetch per directory for up to 15 minutes, so a peer that was offline
     * (or not yet published) could stay unreachable long after it is back. NEWNYM makes tor forget that state;
     * the peer manager's next redial then fetches the fresh descriptor.
     */
    private void forgetOnionFailures() {
        synchronized (this) {
            long now = System.nanoTime();
            if (lastNewnym != 0 && now - lastNewnym < NEWNYM_INTERVAL.toNanos()) {
                return;
            }
            lastNewnym = now;
        }
        try {
            control.command("SIGNAL NEWNYM");
        } catch (IOException e) {
            LOG.debug("NEWNYM failed: {}", e.getMessage());
        }
    }

    /** tor's last warning: from its WARN events, else from its output (when we started it). */
    private String lastWords() {
        return events.lastWarning().or(() -> process.map(TorProcess::lastWords)).orElse("(nothing)");
    }

    private static HostPort socksPort(TorControl control) throws IOException {
        String listeners = control.getInfo("net/listeners/socks").strip();
        for (String l : listeners.split(" ")) {
            String hp = l.replace("\"", "");
            if (!hp.isEmpty() && !hp.startsWith("unix:")) {
                try {
                    return HostPort.parse(hp);
                } catch (org.hearth.core.identity.InvalidAddressException e) {
                    throw new TorException("tor reported an unreadable SOCKS listener: " + hp);
                }
            }
        }
        throw new TorException("tor has no SocksPort on TCP; Hearth dials peers through it");
    }
}
