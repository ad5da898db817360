package org.hearth.core.channel;

/**
 * A channel handshake failed: the peer's bytes were malformed or forged, or the peer is not who it must be.
 * The message says why; the handshake that threw it is finished and the connection should be closed.
 */
public class HandshakeException extends Exception {
    public HandshakeException(String message) {
        super(message);
    }

    public HandshakeException(String message, Throwable cause) {
        super(message, cause);
    }
}
