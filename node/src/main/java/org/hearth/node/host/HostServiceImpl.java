package org.hearth.node.host;

import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.identity.Address;
import org.hearth.core.wire.proto.FetchRequest;
import org.hearth.core.wire.proto.FetchResponse;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.hearth.core.wire.proto.HostError;
import org.hearth.core.wire.proto.RelayRequest;
import org.hearth.core.wire.proto.RelayResponse;
import org.hearth.node.host.HostStore.Page;
import org.hearth.node.host.HostStore.Query;
import org.hearth.node.store.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays go through the store's group commit, folded by {@link RelayBatcher} so that concurrent relays share one
 * transaction, one fsync and one statement; their commits wake held fetches through {@link Waiters}. Blocking work (reads) and every completion run on
 * {@link #executor}, never on the caller's or the commit thread.
 */
final class HostServiceImpl implements HostService {
    private static final Logger LOG = LoggerFactory.getLogger(HostServiceImpl.class);

    private final Database db;
    private final HostLimits limits;
    private final HostAccess access;
    private final Clock clock;
    private final Executor executor;
    private final RateLimiter relayRate;
    private final RateLimiter fetchRate;
    private final Quota quota;
    private final Waiters waiters = new Waiters();
    private final RelayBatcher relays;
    private final Set<LongPoll> held = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<Address, Integer> heldByCaller = new ConcurrentHashMap<>();
    private final ScheduledThreadPoolExecutor deadlines;
    private volatile boolean closed;

    HostServiceImpl(Database db, HostLimits limits, HostAccess access, Clock clock, Executor executor) {
        this.db = Objects.requireNonNull(db, "db");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.access = Objects.requireNonNull(access, "access");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.relayRate = new RateLimiter(limits.relayRate(), clock);
        this.fetchRate = new RateLimiter(limits.fetchRate(), clock);
        this.quota = new Quota(limits.quotaBytes(), db.read(HostStore::usage).chargedBytes());
        this.relays = new RelayBatcher(db, clock, waiters);
        ThreadFactory daemon = Thread.ofPlatform().name("hearth-host-deadlines").daemon().factory();
        this.deadlines = new ScheduledThreadPoolExecutor(1, daemon);
        // Most held fetches end early; without this their cancelled timers would pile up until they expire.
        this.deadlines.setRemoveOnCancelPolicy(true);
    }

    /** A fresh virtual thread per task: never rejects, needs no shutdown, and blocking in it is cheap. */
    static Executor virtualThreads() {
        ThreadFactory factory = Thread.ofVirtual().name("hearth-host-", 0).factory();
        return task -> factory.newThread(task).start();
    }

    @Override
    public CompletableFuture<RelayResponse> relay(Address from, RelayRequest request) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(request, "request");
        Optional<HostError> refusal = refuseRelay(from, request);
        if (refusal.isPresent()) {
            return CompletableFuture.completedFuture(HostResponses.relayRefused(request, refusal.get()));
        }
        GroupEnvelope canonical = HostRequests.canonical(request.getEnvelope());
        refusal = access.checkRelay(from, canonical);
        if (refusal.isPresent()) {
            return CompletableFuture.completedFuture(HostResponses.relayRefused(request, refusal.get()));
        }
        byte[] envelope = canonical.toByteArray();
        EnvelopeId id = EnvelopeId.of(envelope);
        long cost = HostLimits.storageCost(envelope.length);
        if (!quota.tryReserve(cost)) {
            return relayWhenFull(request, id);
        }
        Bytes tag = Bytes.wrap(canonical.getTag().toByteArray());
        return relays.store(new RelayBatcher.Relay(id, tag, envelope))
                .handleAsync((inserted, failure) -> afterStore(request, cost, inserted, failure), executor);
    }

    /** The owner's own long polls (one per group it hosts and reads) may wait this long: no network in between. */
    static final long OWNER_MAX_WAIT_MS = 10 * 60_000L;

    @Override
    public CompletableFuture<FetchResponse> fetch(Address from, FetchRequest request) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(request, "request");
        Optional<HostError> refusal = refuseFetch(from, request);
        if (refusal.isPresent()) {
            return CompletableFuture.completedFuture(HostResponses.fetchRefused(request, refusal.get()));
        }
        Query query = new Query(HostRequests.tags(request), HostRequests.afterSeq(request),
                HostRequests.pageLimit(request, limits), limits.maxPageBytes());
        boolean owner = access.isOwner(from);
        long waitMillis = owner ? Math.min(Integer.toUnsignedLong(request.getWaitMs()), OWNER_MAX_WAIT_MS)
                : HostRequests.waitMillis(request, limits);
        CompletableFuture<Page> page = waitMillis > 0 && (owner || takeHoldSlot(from))
                ? hold(from, query, waitMillis)
                : CompletableFuture.supplyAsync(() -> readPage(query), executor);
        return page.handle((p, failure) -> failure == null
                ? HostResponses.fetchPage(request, p)
                : HostResponses.fetchRefused(request, storeFailed("fetch", failure)));
    }

    @Override
    public void close() {
        closed = true;
        deadlines.shutdownNow();
        for (LongPoll poll : held) {
            poll.cancel();
        }
    }

    /** Storage in use, as the quota counts it. */
    long usedBytes() {
        return quota.usedBytes();
    }

    /** Tags some held fetch is waiting on. */
    int watchedTags() {
        return waiters.watchedTags();
    }

    // Cheapest first: a flood of any kind is cut off by the rate limit before it costs parsing or hashing. The
    // access check follows, on the canonical envelope.
    private Optional<HostError> refuseRelay(Address from, RelayRequest request) {
        if (closed) {
            return Optional.of(HostErrors.unavailable("host is shutting down"));
        }
        if (!relayRate.tryAcquire(from)) {
            return Optional.of(HostErrors.rateLimited());
        }
        return HostRequests.checkRelay(request, limits);
    }

    private Optional<HostError> refuseFetch(Address from, FetchRequest request) {
        if (closed) {
            return Optional.of(HostErrors.unavailable("host is shutting down"));
        }
        if (!access.isOwner(from) && !fetchRate.tryAcquire(from)) {
            return Optional.of(HostErrors.rateLimited());
        }
        return HostRequests.checkFetch(request, limits).or(() -> access.checkFetch(from, request));
    }

    private RelayResponse afterStore(RelayRequest request, long cost, Boolean inserted, Throwable failure) {
        if (failure != null || !inserted) {
            quota.release(cost); // a duplicate or a failed write takes no space
        }
        return failure == null
                ? HostResponses.relayStored(request)
                : HostResponses.relayRefused(request, storeFailed("relay", failure));
    }

    /** A retry of an envelope stored before the host filled up is still a success: relays are idempotent. */
    private CompletableFuture<RelayResponse> relayWhenFull(RelayRequest request, EnvelopeId id) {
        return CompletableFuture.supplyAsync(() -> db.read(tx -> HostStore.contains(tx, id)), executor)
                .handle((present, failure) -> failure == null && present
                        ? HostResponses.relayStored(request)
                        : HostResponses.relayRefused(request, HostErrors.quotaExceeded()));
    }

    private CompletableFuture<Page> hold(Address from, Query query, long waitMillis) {
        LongPoll poll = new LongPoll(query, waiters, this::readPage, executor, () -> releaseHoldSlot(from));
        held.add(poll);
        poll.result().whenComplete((p, f) -> held.remove(poll));
        try {
            poll.start(deadlines, waitMillis);
        } catch (RejectedExecutionException e) {
            poll.cancel(); // closed while starting: the deadline scheduler is gone
        }
        if (closed) {
            poll.cancel(); // close() may have run before the poll was in `held`
        }
        return poll.result();
    }

    /**
     * Each held fetch costs memory until it ends, so a caller gets only a few at once; beyond that its fetches
     * are answered at once, which is still correct, merely not long polling.
     */
    private boolean takeHoldSlot(Address from) {
        boolean[] taken = {false};
        heldByCaller.compute(from, (caller, n) -> {
            int count = n == null ? 0 : n;
            if (count >= limits.maxWaitingFetchesPerCaller()) {
                return n;
            }
            taken[0] = true;
            return count + 1;
        });
        return taken[0];
    }

    private void releaseHoldSlot(Address from) {
        heldByCaller.computeIfPresent(from, (caller, n) -> n <= 1 ? null : n - 1);
    }

    private Page readPage(Query query) {
        return db.read(tx -> HostStore.page(tx, query));
    }

    private static HostError storeFailed(String what, Throwable failure) {
        LOG.warn("host {} failed in the store", what, failure);
        return HostErrors.unavailable(what + " failed on the host; try again later");
    }

    @Override
    public int prune(java.util.List<Bytes> tags, java.time.Instant olderThan, long keepNewest) {
        if (tags.isEmpty()) {
            return 0;
        }
        HostStore.Usage freed = db.write(tx -> HostStore.prune(tx, tags, olderThan, keepNewest));
        quota.release(freed.chargedBytes());
        return (int) freed.envelopes();
    }
}
