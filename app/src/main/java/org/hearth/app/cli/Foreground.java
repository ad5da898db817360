package org.hearth.app.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.hearth.app.api.ApiServer;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.HostPort;
import org.hearth.node.Node;
import org.hearth.node.NodeConfig;
import org.hearth.node.UserError;
import org.hearth.node.transport.TransportFactory;
import org.hearth.node.transport.tor.TorException;

/** Runs a node with its local API in the foreground until SIGTERM/Ctrl-C; shared by `run` and `host`. */
final class Foreground {
    private Foreground() {
    }

    static int run(PrintWriter out, PrintWriter err, Path home, String listen, String advertise,
            NodeConfig.Roles roles, TransportOptions transport) throws Exception {
        HostPort bind = Args.hostPort(listen, "--listen");
        Optional<HostPort> adv = advertise == null ? Optional.empty() : Optional.of(Args.hostPort(advertise, "--advertise"));
        if (transport.usesTcp() && adv.isEmpty() && (bind.host().equals("0.0.0.0") || bind.host().equals("::"))) {
            throw new UserError(UserError.Kind.INVALID,
                    "listening on all interfaces: say with --advertise HOST:PORT where peers reach this node");
        }
        TransportFactory factory = transport.factory(err);
        char[] pass = Passphrase.read(false);
        RandomSource random = RandomSource.secure();
        Node node;
        try {
            node = Node.start(new NodeConfig(home, pass, bind, adv, Clock.systemUTC(), random, roles)
                    .withTransport(factory));
        } catch (TorException e) {
            throw new UserError(UserError.Kind.INVALID, e.getMessage());
        }
        ApiServer api = ApiServer.start(node, home, random);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            api.close();
            node.close();
            stopped.countDown();
        }));
        out.println("listening " + node.endpoint());
        out.flush();
        stopped.await();
        return 0;
    }
}
