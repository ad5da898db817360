package org.hearth.app.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import org.hearth.core.crypto.PassphraseKdf;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.Identity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "init", description = "Create a node: identity and encrypted store. Prints its address.")
final class InitCommand implements Callable<Integer> {
    @Mixin
    HomeOption home;
    @Option(names = "--name", defaultValue = "", description = "display name sent with contact requests")
    String name;
    @Option(names = "--json", description = "print JSON")
    boolean json;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        char[] pass = Passphrase.read(true);
        Identity id = org.hearth.node.NodeHome.init(home.home, pass, name, RandomSource.secure(), PassphraseKdf.DEFAULT);
        if (json) {
            Output.json(spec.commandLine().getOut(), Map.of("address", id.address().text()));
        } else {
            spec.commandLine().getOut().println(id.address().text());
        }
        return 0;
    }
}
