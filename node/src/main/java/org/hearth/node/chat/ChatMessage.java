package org.hearth.node.chat;

import java.time.Instant;
import org.hearth.core.identity.Address;
import org.hearth.core.wire.MessageId;

/** One 1:1 chat message as stored: {@code sender} is us for outgoing ones. */
public record ChatMessage(MessageId id, Address contact, Address sender, boolean outgoing, String text,
        Instant sentAt, boolean delivered) {
}
