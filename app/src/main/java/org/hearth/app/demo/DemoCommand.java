package org.hearth.app.demo;

import java.util.concurrent.Callable;
import org.hearth.node.transport.tor.TorBinaries;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "demo", description = "Run the Hearth story on loopback with throw-away nodes, narrating each step.")
public final class DemoCommand implements Callable<Integer> {
    enum Kind { tcp, tor }

    @Option(names = "--transport", defaultValue = "tcp", paramLabel = "tcp|tor",
            description = "tcp, or tor: every node is an onion service on a private Tor network that the demo starts"
                    + " on 127.0.0.1 (needs tor installed; default ${DEFAULT-VALUE})")
    Kind transport;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (transport == Kind.tor && !TorBinaries.torInstalled()) {
            spec.commandLine().getErr().println("hearth: the demo over Tor needs tor: install tor (apt-get install tor)");
            spec.commandLine().getErr().flush();
            return 1;
        }
        return new Demo(spec.commandLine().getOut(), transport == Kind.tor).run() ? 0 : 1;
    }
}
