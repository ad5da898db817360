package org.hearth.node.group;

import org.hearth.core.identity.Address;

/** A stored proof of equivocation: two serialized {@code SignedUpdate}s for one epoch by the manager. */
public record GroupProof(long epoch, Address manager, byte[] first, byte[] second) {
}
