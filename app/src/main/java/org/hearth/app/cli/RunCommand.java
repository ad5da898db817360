package org.hearth.app.cli;

import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.hearth.app.api.ApiServer;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.HostPort;
import org.hearth.node.Node;
import org.hearth.node.NodeConfig;
import org.hearth.node.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "run", description = "Run the node in the foreground until interrupted.")
final class RunCommand implements Callable<Integer> {
    @Mixin
    HomeOption home;
    @Option(names = "--listen", defaultValue = "127.0.0.1:0", paramLabel = "HOST:PORT",
            description = "where to accept peers (port 0 picks a free one; default ${DEFAULT-VALUE})")
    String listen;
    @Option(names = "--advertise", paramLabel = "HOST:PORT",
            description = "the host:port peers should dial, when it differs from --listen")
    String advertise;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        HostPort bind = Args.hostPort(listen, "--listen");
        Optional<HostPort> adv = advertise == null ? Optional.empty() : Optional.of(Args.hostPort(advertise, "--advertise"));
        if (adv.isEmpty() && (bind.host().equals("0.0.0.0") || bind.host().equals("::"))) {
            throw new UserError(UserError.Kind.INVALID,
                    "listening on all interfaces: say with --advertise HOST:PORT where peers reach this node");
        }
        char[] pass = Passphrase.read(false);
        RandomSource random = RandomSource.secure();
        Node node = Node.start(new NodeConfig(home.home, pass, bind, adv, Clock.systemUTC(), random));
        ApiServer api = ApiServer.start(node, home.home, random);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            api.close();
            node.close();
            stopped.countDown();
        }));
        spec.commandLine().getOut().println("listening " + node.endpoint());
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }
}
