package org.hearth.core.wire;

import org.hearth.core.bytes.Bytes;
import org.hearth.core.crypto.RandomSource;

/** Id of a durable peer item (contact request, chat message): 16 random bytes, deduplicated by receivers. */
public record MessageId(Bytes bytes) {
    public static final int LENGTH = 16;

    public MessageId {
        if (bytes.length() != LENGTH) {
            throw new IllegalArgumentException("message id must be " + LENGTH + " bytes");
        }
    }

    public static MessageId random(RandomSource random) {
        return new MessageId(Bytes.wrap(random.bytes(LENGTH)));
    }

    public static MessageId fromHex(String hex) {
        return new MessageId(Bytes.fromHex(hex));
    }

    static MessageId decode(com.google.protobuf.ByteString b) throws MalformedMessageException {
        if (b.size() != LENGTH) {
            throw new MalformedMessageException("id must be " + LENGTH + " bytes");
        }
        return new MessageId(Bytes.wrap(b.toByteArray()));
    }

    public String hex() {
        return bytes.hex();
    }

    @Override
    public String toString() {
        return hex();
    }
}
