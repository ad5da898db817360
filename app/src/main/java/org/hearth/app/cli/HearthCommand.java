package org.hearth.app.cli;

import java.util.concurrent.Callable;
import org.hearth.app.demo.DemoCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "hearth", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT,
        version = "hearth 0.1.0",
        description = "Hearth: private group messaging over channels you can trust.",
        subcommands = {InitCommand.class, RunCommand.class, ClientCommands.Whoami.class, ClientCommands.Contacts.class,
            ClientCommands.Send.class, ClientCommands.Messages.class, GroupCommands.class, HostCommand.class, VerifyProofCommand.class,
            DemoCommand.class})
public final class HearthCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    public static CommandLine commandLine() {
        return new CommandLine(new HearthCommand());
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }
}
