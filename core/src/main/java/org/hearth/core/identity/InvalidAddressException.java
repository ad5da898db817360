package org.hearth.core.identity;

/** User-supplied or remote address or endpoint text that is not valid; the message says why. */
public class InvalidAddressException extends Exception {
    public InvalidAddressException(String message) {
        super(message);
    }
}
