package org.hearth.node.host;

import org.hearth.core.wire.proto.FetchRequest;
import org.hearth.core.wire.proto.FetchResponse;
import org.hearth.core.wire.proto.HostError;
import org.hearth.core.wire.proto.RelayRequest;
import org.hearth.core.wire.proto.RelayResponse;
import org.hearth.node.host.HostStore.Page;

/** Builds responses; every one echoes its request's id. */
final class HostResponses {
    private HostResponses() {
    }

    static RelayResponse relayStored(RelayRequest r) {
        return RelayResponse.newBuilder().setRequestId(r.getRequestId()).build();
    }

    static RelayResponse relayRefused(RelayRequest r, HostError error) {
        return RelayResponse.newBuilder().setRequestId(r.getRequestId()).setError(error).build();
    }

    /**
     * next_cursor is the last seq sent; when nothing more matches, the host's head seq if that is further
     * (never behind the request's cursor).
     */
    static FetchResponse fetchPage(FetchRequest r, Page page) {
        long last = page.isEmpty() ? r.getCursor() : page.envelopes().getLast().getSeq();
        long next = page.more() ? last : Math.max(last, page.head());
        return FetchResponse.newBuilder().setRequestId(r.getRequestId()).addAllEnvelopes(page.envelopes())
                .setNextCursor(next).setMore(page.more()).setHead(Math.max(next, page.head())).build();
    }

    /** Keeps the request's cursor, so that a client that ignores the error does not rewind. */
    static FetchResponse fetchRefused(FetchRequest r, HostError error) {
        return FetchResponse.newBuilder().setRequestId(r.getRequestId()).setNextCursor(r.getCursor())
                .setError(error).build();
    }
}
