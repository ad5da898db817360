package org.hearth.node.host;

import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.hearth.core.identity.Address;
import org.hearth.core.wire.proto.FetchRequest;
import org.hearth.core.wire.proto.FetchResponse;
import org.hearth.core.wire.proto.RelayRequest;
import org.hearth.core.wire.proto.RelayResponse;
import org.hearth.node.store.Database;

/**
 * The host role: stores opaque group envelopes and serves them by routing tag (design §5, host API).
 * The caller's identity comes from its authenticated channel. Refusals are {@code HostError}s inside the
 * response; the returned futures never complete exceptionally and never complete on the store's commit thread,
 * so callers may block in their dependent stages (e.g. to send the response).
 */
public interface HostService extends AutoCloseable {

    /**
     * A host over {@code db} (which the caller keeps owning and closes after this service). Reads the storage
     * in use from the store, so it blocks briefly.
     */
    static HostService open(Database db, HostLimits limits, HostAccess access, Clock clock) {
        return new HostServiceImpl(db, limits, access, clock, HostServiceImpl.virtualThreads());
    }

    /** As {@link #open(Database, HostLimits, HostAccess, Clock)}, completing responses on {@code executor}. */
    static HostService open(Database db, HostLimits limits, HostAccess access, Clock clock, Executor executor) {
        return new HostServiceImpl(db, limits, access, clock, executor);
    }

    /** The untrusted host: default limits, anyone may relay and fetch. */
    static HostService untrusted(Database db, Clock clock) {
        return open(db, HostLimits.DEFAULT, HostAccess.OPEN, clock);
    }

    /**
     * Stores {@code request}'s envelope. The response says "stored" only once the envelope is committed;
     * relaying an envelope that is already stored stores nothing and is answered as stored.
     */
    CompletableFuture<RelayResponse> relay(Address from, RelayRequest request);

    /**
     * The envelopes under the request's tags after its cursor, ascending by seq, one page at a time. With
     * {@code wait_ms > 0} and nothing to send, answers when an envelope arrives under one of the tags or with
     * an empty page once the wait is over.
     */
    CompletableFuture<FetchResponse> fetch(Address from, FetchRequest request);

    /**
     * Retention: deletes envelopes under {@code tags} received before {@code olderThan}, and beyond the newest
     * {@code keepNewest} of them (0 = no count limit). Frees their quota. Returns how many were deleted.
     */
    int prune(java.util.List<org.hearth.core.bytes.Bytes> tags, java.time.Instant olderThan, long keepNewest);

    /** Answers every held fetch with an empty page and refuses new requests. Does not close the store. */
    @Override
    void close();
}
