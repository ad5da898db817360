package org.hearth.core.wire;

/** The one checked error for bytes from the network or disk that are not a valid Hearth message. */
public class MalformedMessageException extends Exception {
    public MalformedMessageException(String message) {
        super(message);
    }

    public MalformedMessageException(String message, Throwable cause) {
        super(message, cause);
    }
}
