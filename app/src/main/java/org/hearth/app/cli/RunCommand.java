package org.hearth.app.cli;

import java.util.concurrent.Callable;
import org.hearth.node.NodeConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

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
    @Option(names = "--no-managed-groups", description = "turn the managed-groups experiment off on this node")
    boolean noManagedGroups;
    @Mixin
    TransportOptions transport;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        return Foreground.run(spec.commandLine().getOut(), spec.commandLine().getErr(), home.home, listen, advertise,
                new NodeConfig.Roles(true, !noManagedGroups, true), transport);
    }
}
