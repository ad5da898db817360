package org.hearth.app.cli;

import org.hearth.core.identity.HostPort;
import org.hearth.core.identity.InvalidAddressException;
import org.hearth.node.UserError;

/** Parsing of option values into typed values, with one clear message per mistake. */
final class Args {
    private Args() {
    }

    static HostPort hostPort(String s, String option) {
        try {
            return HostPort.parse(s);
        } catch (InvalidAddressException | IllegalArgumentException e) {
            throw new UserError(UserError.Kind.INVALID, option + ": " + e.getMessage());
        }
    }
}
