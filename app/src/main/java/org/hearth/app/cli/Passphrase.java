package org.hearth.app.cli;

import java.io.Console;
import java.util.Arrays;
import org.hearth.node.UserError;

/** The store passphrase: from {@code HEARTH_PASSPHRASE}, or asked for on the terminal. */
final class Passphrase {
    static final String ENV = "HEARTH_PASSPHRASE";

    private Passphrase() {
    }

    static char[] read(boolean confirm) {
        String env = System.getenv(ENV);
        if (env != null) {
            if (env.isEmpty()) {
                throw new UserError(UserError.Kind.INVALID, ENV + " is set but empty");
            }
            return env.toCharArray();
        }
        Console console = System.console();
        if (console == null) {
            throw new UserError(UserError.Kind.INVALID, "no passphrase: set " + ENV + " or run in a terminal");
        }
        char[] first = console.readPassword("Passphrase for the node's store: ");
        if (first == null || first.length == 0) {
            throw new UserError(UserError.Kind.INVALID, "an empty passphrase is not allowed");
        }
        if (confirm) {
            char[] again = console.readPassword("Repeat the passphrase: ");
            boolean same = Arrays.equals(first, again);
            if (again != null) {
                Arrays.fill(again, '\0');
            }
            if (!same) {
                throw new UserError(UserError.Kind.INVALID, "the passphrases do not match");
            }
        }
        return first;
    }
}
