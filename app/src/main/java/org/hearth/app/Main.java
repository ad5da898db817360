package org.hearth.app;

import org.hearth.app.api.ApiException;
import org.hearth.app.cli.HearthCommand;
import org.hearth.node.UserError;
import org.hearth.node.store.WrongPassphraseException;
import picocli.CommandLine;

/** The {@code hearth} command. Errors become one line on stderr and a non-zero exit code. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cl = HearthCommand.commandLine();
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("hearth: " + message(e));
            commandLine.getErr().flush();
            return e instanceof UserError || e instanceof ApiException || e instanceof WrongPassphraseException ? 1 : 70;
        });
        return cl.execute(args);
    }

    private static String message(Exception e) {
        if (e instanceof UserError || e instanceof ApiException || e instanceof WrongPassphraseException) {
            return e.getMessage();
        }
        if (e instanceof java.net.BindException) {
            return "cannot listen: " + e.getMessage();
        }
        return "unexpected error: " + e;
    }
}
