package org.hearth.app.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.hearth.node.UserError;
import org.hearth.node.transport.TransportFactory;
import org.hearth.node.transport.tor.TorSettings;
import org.hearth.node.transport.tor.TorTransports;
import picocli.CommandLine.Option;

/** {@code --transport tcp|tor|both} and the tor options, shared by `run` and `host`. */
final class TransportOptions {
    enum Kind { tcp, tor, both }

    @Option(names = "--transport", defaultValue = "tcp", paramLabel = "tcp|tor|both",
            description = "how peers reach this node: tcp, tor (an onion service at the node's address) or both"
                    + " (default ${DEFAULT-VALUE})")
    Kind transport;
    @Option(names = "--tor-control", paramLabel = "HOST:PORT",
            description = "use the tor already running with this control port (cookie authentication) instead of"
                    + " starting one")
    String torControl;
    @Option(names = "--tor-binary", paramLabel = "PATH", description = "the tor to start (default: tor on the PATH)")
    Path torBinary;
    @Option(names = "--tor-option", paramLabel = "'KEY VALUE'",
            description = "an extra torrc line for the tor this node starts (for example a Bridge); repeatable")
    List<String> torOptions = new ArrayList<>();

    boolean usesTcp() {
        return transport != Kind.tor;
    }

    /** The factory for the chosen transport; tor's bootstrap progress goes to {@code progress}. */
    TransportFactory factory(PrintWriter progress) {
        if (transport == Kind.tcp) {
            if (torControl != null || torBinary != null || !torOptions.isEmpty()) {
                throw new UserError(UserError.Kind.INVALID,
                        "--tor-control, --tor-binary and --tor-option need --transport tor or both");
            }
            return TransportFactory.TCP;
        }
        if (torControl != null && (torBinary != null || !torOptions.isEmpty())) {
            throw new UserError(UserError.Kind.INVALID,
                    "--tor-control uses a running tor; --tor-binary and --tor-option are for the tor Hearth starts");
        }
        TorSettings settings = TorSettings.defaults().withProgress(s -> {
            progress.println("tor: " + s);
            progress.flush();
        });
        if (torControl != null) {
            settings = settings.withControl(Args.hostPort(torControl, "--tor-control"));
        }
        if (torBinary != null) {
            settings = settings.withBinary(torBinary);
        }
        try {
            settings = settings.withTorrcLines(torOptions);
        } catch (IllegalArgumentException e) {
            throw new UserError(UserError.Kind.INVALID, "--tor-option: " + e.getMessage());
        }
        return transport == Kind.tor ? TorTransports.tor(settings) : TorTransports.both(settings);
    }
}
