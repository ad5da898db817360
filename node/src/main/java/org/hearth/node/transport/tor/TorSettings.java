package org.hearth.node.transport.tor;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.hearth.core.identity.HostPort;

/**
 * How a node reaches Tor. Without {@code control} the node starts and owns a tor process (DataDirectory
 * {@code HOME/tor}); with it, the node uses an existing tor through its control port (cookie authentication).
 *
 * @param binary the tor executable; empty = {@code tor} on the PATH
 * @param control an existing tor's control port; empty = start our own tor
 * @param torrcLines extra lines for our own tor's torrc (a private test network's {@code DirAuthority} lines)
 * @param bootstrapTimeout how long tor may take to reach 100 %
 * @param publishTimeout how long the onion descriptor may take to reach a directory
 * @param dialTimeout how long one dial through SOCKS may take (tor builds a rendezvous circuit)
 * @param progress told about each bootstrap step, for the user
 */
public record TorSettings(Optional<Path> binary, Optional<HostPort> control, List<String> torrcLines,
        Duration bootstrapTimeout, Duration publishTimeout, Duration dialTimeout, Consumer<BootstrapStatus> progress) {

    public TorSettings {
        torrcLines = List.copyOf(torrcLines);
        for (String line : torrcLines) {
            if (line.contains("\n") || line.contains("\r")) {
                throw new IllegalArgumentException("a torrc line must not contain a line break");
            }
        }
        if (bootstrapTimeout.isNegative() || publishTimeout.isNegative() || dialTimeout.isNegative()) {
            throw new IllegalArgumentException("timeouts must not be negative");
        }
    }

    /** Our own tor on the public Tor network; tor from the PATH. */
    public static TorSettings defaults() {
        return new TorSettings(Optional.empty(), Optional.empty(), List.of(), Duration.ofMinutes(3),
                Duration.ofMinutes(2), Duration.ofSeconds(90), s -> { });
    }

    public TorSettings withBinary(Path p) {
        return new TorSettings(Optional.of(p), control, torrcLines, bootstrapTimeout, publishTimeout, dialTimeout,
                progress);
    }

    public TorSettings withControl(HostPort hp) {
        return new TorSettings(binary, Optional.of(hp), torrcLines, bootstrapTimeout, publishTimeout, dialTimeout,
                progress);
    }

    public TorSettings withTorrcLines(List<String> lines) {
        return new TorSettings(binary, control, lines, bootstrapTimeout, publishTimeout, dialTimeout, progress);
    }

    public TorSettings withProgress(Consumer<BootstrapStatus> p) {
        return new TorSettings(binary, control, torrcLines, bootstrapTimeout, publishTimeout, dialTimeout, p);
    }

    public TorSettings withTimeouts(Duration bootstrap, Duration publish, Duration dial) {
        return new TorSettings(binary, control, torrcLines, bootstrap, publish, dial, progress);
    }
}
