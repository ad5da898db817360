package org.hearth.node.transport.tor;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds {@code tor} (and {@code tor-gencert}, which Debian's tor package ships beside it). */
public final class TorBinaries {
    static final String NOT_INSTALLED = "tor is not installed: apt-get install tor";

    private TorBinaries() {
    }

    /** Whether a {@code tor} executable is on the PATH. */
    public static boolean torInstalled() {
        return onPath("tor").isPresent();
    }

    static Path tor(Optional<Path> configured) throws TorException {
        if (configured.isPresent()) {
            Path p = configured.get();
            if (!Files.isExecutable(p)) {
                throw new TorException("tor binary " + p + " is not an executable file");
            }
            return p;
        }
        return onPath("tor").orElseThrow(() -> new TorException(NOT_INSTALLED));
    }

    static Path gencert(Path tor) throws TorException {
        Path beside = tor.resolveSibling("tor-gencert");
        if (Files.isExecutable(beside)) {
            return beside;
        }
        return onPath("tor-gencert").orElseThrow(() -> new TorException(
                "tor-gencert is missing (it comes with the tor package: apt-get install tor)"));
    }

    private static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
