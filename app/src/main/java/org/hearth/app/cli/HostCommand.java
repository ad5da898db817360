package org.hearth.app.cli;

import java.util.concurrent.Callable;
import org.hearth.node.NodeConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "host", description = "Run an untrusted host: stores and serves opaque group envelopes only.")
final class HostCommand implements Callable<Integer> {
    @Mixin
    HomeOption home;
    @Option(names = "--listen", defaultValue = "127.0.0.1:0", paramLabel = "HOST:PORT",
            description = "where to accept members (default ${DEFAULT-VALUE})")
    String listen;
    @Option(names = "--advertise", paramLabel = "HOST:PORT")
    String advertise;
    @Mixin
    TransportOptions transport;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        return Foreground.run(spec.commandLine().getOut(), spec.commandLine().getErr(), home.home, listen, advertise,
                NodeConfig.Roles.HOST, transport);
    }
}
