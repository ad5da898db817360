package org.hearth.node.contacts;

import java.time.Instant;
import java.util.Optional;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.HostPort;

/** A peer this node knows. {@code endpointHint} is where it was last reachable over TCP. */
public record Contact(Address address, String name, ContactKind kind, ContactStatus status,
        Optional<HostPort> endpointHint, Instant createdAt) {

    public Contact withStatus(ContactStatus s) {
        return new Contact(address, name, kind, s, endpointHint, createdAt);
    }
}
