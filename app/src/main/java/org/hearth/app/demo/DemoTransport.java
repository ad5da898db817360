package org.hearth.app.demo;

import java.time.Duration;
import org.hearth.node.transport.TransportFactory;
import org.hearth.node.transport.tor.PrivateTorNetwork;
import org.hearth.node.transport.tor.TorSettings;
import org.hearth.node.transport.tor.TorTransports;

/**
 * How the demo's nodes reach each other: TCP on 127.0.0.1, or onion services on a private Tor network on
 * 127.0.0.1 (each node runs its own tor; a step then waits longer, as a rendezvous takes a few seconds).
 */
record DemoTransport(TransportFactory factory, boolean overTor, Duration stepTimeout) {
    static DemoTransport tcp() {
        return new DemoTransport(TransportFactory.TCP, false, Duration.ofSeconds(60));
    }

    static DemoTransport tor(PrivateTorNetwork network) {
        TorSettings settings = TorSettings.defaults().withTorrcLines(network.torrcLinesForClients());
        return new DemoTransport(TorTransports.tor(settings), true, Duration.ofSeconds(180));
    }

    /** The local port to listen on when a node restarts: TCP keeps its port; an onion keeps its address anyway. */
    int restartPort(int previous) {
        return overTor ? 0 : previous;
    }
}
