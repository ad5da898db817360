package org.hearth.node.transport;

import java.io.IOException;
import java.nio.file.Path;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.Identity;

/** Builds a node's transport once its identity is open (Tor publishes an onion service for that identity). */
@FunctionalInterface
public interface TransportFactory {
    Transport create(Identity identity, RandomSource random, Path home) throws IOException;

    TransportFactory TCP = (identity, random, home) -> new TcpTransport(identity, random);
}
