package org.hearth.node.group;

import java.time.Instant;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.identity.Address;

/** A group message as this node stored it, in the order it was stored. */
public record GroupMessageView(Bytes id, Address sender, String text, Instant sentAt, long epoch) {
}
