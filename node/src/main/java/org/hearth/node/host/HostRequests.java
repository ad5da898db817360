package org.hearth.node.host;

import com.google.protobuf.ByteString;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.wire.proto.FetchRequest;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.hearth.core.wire.proto.HostError;
import org.hearth.core.wire.proto.RelayRequest;

/** Size checks on incoming requests: the only thing an untrusted host can check. */
final class HostRequests {
    private HostRequests() {
    }

    static Optional<HostError> checkRelay(RelayRequest request, HostLimits limits) {
        if (!request.hasEnvelope()) {
            return Optional.of(HostErrors.malformed("relay request has no envelope"));
        }
        GroupEnvelope e = request.getEnvelope();
        if (e.getTag().size() != HostLimits.TAG_BYTES) {
            return Optional.of(HostErrors.malformed("tag must be " + HostLimits.TAG_BYTES + " bytes"));
        }
        if (e.getNonce().size() != HostLimits.NONCE_BYTES) {
            return Optional.of(HostErrors.malformed("nonce must be " + HostLimits.NONCE_BYTES + " bytes"));
        }
        if (e.getCiphertext().size() < HostLimits.MIN_CIPHERTEXT_BYTES) {
            return Optional.of(HostErrors.malformed("ciphertext shorter than " + HostLimits.MIN_CIPHERTEXT_BYTES
                    + " bytes"));
        }
        if (canonical(e).getSerializedSize() > limits.maxEnvelopeBytes()) {
            return Optional.of(HostErrors.tooLarge("envelope larger than " + limits.maxEnvelopeBytes() + " bytes"));
        }
        return Optional.empty();
    }

    static Optional<HostError> checkFetch(FetchRequest request, HostLimits limits) {
        if (request.getTagsCount() > limits.maxFetchTags()) {
            return Optional.of(HostErrors.tooLarge("more than " + limits.maxFetchTags() + " tags"));
        }
        if (request.getTagsCount() == 0) {
            return Optional.of(HostErrors.malformed("fetch names no tags"));
        }
        for (ByteString tag : request.getTagsList()) {
            if (tag.size() != HostLimits.TAG_BYTES) {
                return Optional.of(HostErrors.malformed("tag must be " + HostLimits.TAG_BYTES + " bytes"));
            }
        }
        return Optional.empty();
    }

    /**
     * The envelope with only its three known fields. Unknown fields would change the id of the same message
     * (defeating deduplication) and let a sender smuggle bytes past the size checks of other hosts.
     */
    static GroupEnvelope canonical(GroupEnvelope e) {
        return GroupEnvelope.newBuilder().setTag(e.getTag()).setNonce(e.getNonce()).setCiphertext(e.getCiphertext())
                .build();
    }

    /** The distinct tags of a checked fetch, in request order. */
    static List<Bytes> tags(FetchRequest request) {
        Set<Bytes> tags = new LinkedHashSet<>();
        for (ByteString tag : request.getTagsList()) {
            tags.add(Bytes.wrap(tag.toByteArray()));
        }
        return List.copyOf(tags);
    }

    /** A uint64 cursor as a seq bound; seqs are positive longs, so a cursor past them matches nothing. */
    static long afterSeq(FetchRequest request) {
        return request.getCursor() < 0 ? Long.MAX_VALUE : request.getCursor();
    }

    /** The page size to serve: the request's, within the host's maximum (0, the proto default, = maximum). */
    static int pageLimit(FetchRequest request, HostLimits limits) {
        long asked = Integer.toUnsignedLong(request.getLimit());
        return asked == 0 ? limits.maxFetchLimit() : (int) Math.min(asked, limits.maxFetchLimit());
    }

    /** The long-poll wait to serve in milliseconds, within the host's maximum. */
    static long waitMillis(FetchRequest request, HostLimits limits) {
        return Math.min(Integer.toUnsignedLong(request.getWaitMs()), limits.maxWait().toMillis());
    }
}
