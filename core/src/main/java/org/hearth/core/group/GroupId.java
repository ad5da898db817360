package org.hearth.core.group;

import java.util.HexFormat;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.wire.MalformedMessageException;

/** A group's id: 32 random bytes, shown as 64 hex characters. */
public record GroupId(Bytes bytes) {
    public static final int LENGTH = 32;

    public GroupId {
        if (bytes.length() != LENGTH) {
            throw new IllegalArgumentException("group id must be 32 bytes");
        }
    }

    public static GroupId random(RandomSource random) {
        return new GroupId(Bytes.wrap(random.bytes(LENGTH)));
    }

    /** Parses user input; the message says what is wrong. */
    public static GroupId parse(String text) throws IllegalArgumentException {
        String t = text.trim();
        if (t.length() != 2 * LENGTH) {
            throw new IllegalArgumentException("a group id has 64 hex characters");
        }
        try {
            return new GroupId(Bytes.wrap(HexFormat.of().parseHex(t)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a group id has 64 hex characters");
        }
    }

    static GroupId decode(com.google.protobuf.ByteString b) throws MalformedMessageException {
        if (b.size() != LENGTH) {
            throw new MalformedMessageException("group id must be 32 bytes");
        }
        return new GroupId(Bytes.wrap(b.toByteArray()));
    }

    public String hex() {
        return bytes.hex();
    }

    @Override
    public String toString() {
        return hex();
    }
}
