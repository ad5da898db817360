package org.hearth.node.host;

import java.util.Objects;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.crypto.Hash;
import org.hearth.core.wire.proto.GroupEnvelope;

/**
 * Id of a hosted envelope: SHA-256 over Labels({@value #LABEL}, serialized envelope). Content-derived, so a
 * relay that is retried (or arrives through two paths) is stored once.
 */
public record EnvelopeId(Bytes bytes) {
    public static final String LABEL = "hearth/envelope-id/v1";

    public EnvelopeId {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length() != Hash.LENGTH) {
            throw new IllegalArgumentException("envelope id must be " + Hash.LENGTH + " bytes");
        }
    }

    /** The id of an envelope serialized as {@code serialized}. */
    public static EnvelopeId of(byte[] serialized) {
        return new EnvelopeId(Hash.labelled(LABEL, serialized));
    }

    public static EnvelopeId of(GroupEnvelope envelope) {
        return of(envelope.toByteArray());
    }

    @Override
    public String toString() {
        return bytes.hex();
    }
}
