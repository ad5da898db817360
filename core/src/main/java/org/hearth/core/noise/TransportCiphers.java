package org.hearth.core.noise;

import java.util.Objects;

/** The two transport CipherStates of one side after the handshake: one to send with, one to receive with. */
public record TransportCiphers(CipherState sender, CipherState receiver) {
    public TransportCiphers {
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(receiver, "receiver");
    }

    /** Wipes both keys. */
    public void destroy() {
        sender.destroy();
        receiver.destroy();
    }
}
