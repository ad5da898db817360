package org.hearth.node.transport.tor;

import java.io.IOException;

/** Tor could not be used: not installed, failed to start or bootstrap, refused a command. The message says why. */
public class TorException extends IOException {
    public TorException(String message) {
        super(message);
    }

    public TorException(String message, Throwable cause) {
        super(message, cause);
    }
}
