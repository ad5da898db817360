package org.hearth.core.group;

import org.hearth.core.wire.MalformedMessageException;

/** A member's right in a group. Every member reads; writers also post. */
public enum Permission {
    READ, WRITE;

    public boolean canWrite() {
        return this == WRITE;
    }

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    org.hearth.core.wire.proto.Permission toProto() {
        return this == WRITE ? org.hearth.core.wire.proto.Permission.WRITE : org.hearth.core.wire.proto.Permission.READ;
    }

    static Permission fromProto(org.hearth.core.wire.proto.Permission p) throws MalformedMessageException {
        return switch (p) {
            case READ -> READ;
            case WRITE -> WRITE;
            default -> throw new MalformedMessageException("unknown permission");
        };
    }
}
