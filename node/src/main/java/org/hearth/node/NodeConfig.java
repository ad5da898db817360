package org.hearth.node;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.HostPort;

/**
 * Everything a node needs to start. {@code advertise} is the host:port peers should dial (defaults to the
 * bound listen address).
 */
public record NodeConfig(Path home, char[] passphrase, HostPort listen, Optional<HostPort> advertise, Clock clock,
        RandomSource random) {

    public static NodeConfig of(Path home, char[] passphrase, HostPort listen) {
        return new NodeConfig(home, passphrase, listen, Optional.empty(), Clock.systemUTC(), RandomSource.secure());
    }
}
