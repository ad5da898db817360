package org.hearth.app.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --home DIR} option every command takes. */
final class HomeOption {
    @Option(names = "--home", required = true, paramLabel = "DIR", description = "the node's home directory")
    Path home;
}
