package org.hearth.core.group;

import java.util.Locale;
import org.hearth.core.wire.MalformedMessageException;

/**
 * What a member that was offline across rotations may receive when it returns (docs/protocol.md §6):
 * NONE — no key of an epoch that began while it was away (it reads again from the next rotation);
 * LATEST — the current epoch's key only; SINCE_JOIN — every epoch key since it joined, within retention.
 */
public enum KeyCatchup {
    NONE, LATEST, SINCE_JOIN;

    public String wire() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static KeyCatchup parse(String s) {
        for (KeyCatchup k : values()) {
            if (k.wire().equals(s)) {
                return k;
            }
        }
        throw new IllegalArgumentException("key catch-up is one of none, latest, since-join");
    }

    org.hearth.core.wire.proto.KeyCatchup toProto() {
        return switch (this) {
            case NONE -> org.hearth.core.wire.proto.KeyCatchup.NONE;
            case LATEST -> org.hearth.core.wire.proto.KeyCatchup.LATEST;
            case SINCE_JOIN -> org.hearth.core.wire.proto.KeyCatchup.SINCE_JOIN;
        };
    }

    static KeyCatchup fromProto(org.hearth.core.wire.proto.KeyCatchup k) throws MalformedMessageException {
        return switch (k) {
            case NONE -> NONE;
            case LATEST -> LATEST;
            case SINCE_JOIN -> SINCE_JOIN;
            default -> throw new MalformedMessageException("unknown key catch-up policy");
        };
    }
}
