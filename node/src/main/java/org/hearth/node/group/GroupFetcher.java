package org.hearth.node.group;

import java.io.Closeable;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.LongFunction;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.chat.ChatOverlay;
import org.hearth.core.crypto.CryptoException;
import org.hearth.core.group.EpochKey;
import org.hearth.core.group.GroupId;
import org.hearth.core.group.GroupMessages;
import org.hearth.core.group.GroupState;
import org.hearth.core.group.Permission;
import org.hearth.core.identity.Address;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.WireCodec;
import org.hearth.core.wire.proto.FetchRequest;
import org.hearth.core.wire.proto.FetchResponse;
import org.hearth.core.wire.proto.HostError;
import org.hearth.core.wire.proto.HostedEnvelope;
import org.hearth.core.wire.proto.PeerMessage;
import org.hearth.node.store.Transaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One round of a member's fetch loop: ask a host for the held epochs with the lowest cursor, then open, verify
 * and store what it returns. When the host says more is waiting (a catch-up), the round becomes a pipeline: the
 * next page is fetched while earlier ones are opened on every core and stored; after the first page, pages are
 * gathered into transactions of up to {@link #MAX_ENVELOPES_PER_COMMIT} envelopes. Pages are stored in order and
 * each transaction advances the cursor only to the end of what it stores, so a crash loses nothing and skips
 * nothing; what waits unstored is bounded: one transaction's pages, {@link #PAGES_AHEAD} queued and the page
 * being fetched.
 */
final class GroupFetcher implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupFetcher.class);
    /** Pages fetched and not yet taken for storing, per loop: enough to keep every core opening while a commit runs. */
    static final int PAGES_AHEAD = 16;
    /** Envelopes stored per transaction at most, when several fetched pages are ready at once. */
    static final int MAX_ENVELOPES_PER_COMMIT = 1000;
    /** Encoded pages stored per transaction at most (large envelopes fill a page each). */
    static final int MAX_BYTES_PER_COMMIT = 2 * 1024 * 1024;
    /** How long a catch-up waits for the next page before it stores what it has. */
    static final Duration GATHER_WAIT = Duration.ofMillis(250);

    /** The host API, whoever serves it (GroupTraffic#callHost). */
    interface HostCall {
        CompletableFuture<PeerMessage> call(Address host, LongFunction<PeerMessage> request, Duration timeout);
    }

    private final GroupContext ctx;
    private final MemberRole member;
    private final ManagerRole manager;
    private final HostCall hosts;
    private final java.util.function.Predicate<Address> local;
    private final SyncTracker sync;
    /** Opens and verifies envelopes on every core; shared by all loops (threads start on demand, end when idle). */
    private final AtomicInteger openerThreads = new AtomicInteger();
    private final ForkJoinPool openers = new ForkJoinPool(Runtime.getRuntime().availableProcessors(), pool -> {
        ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
        t.setName("hearth-open-" + openerThreads.incrementAndGet());
        t.setDaemon(true);
        return t;
    }, null, false);

    /** @param local whether a host is this node's own host role (its long polls can wait longer) */
    GroupFetcher(GroupContext ctx, MemberRole member, ManagerRole manager, HostCall hosts,
            java.util.function.Predicate<Address> local, SyncTracker sync) {
        this.ctx = ctx;
        this.member = member;
        this.manager = manager;
        this.hosts = hosts;
        this.local = local;
        this.sync = sync;
    }

    /** A fetched page, being opened. */
    record Page(FetchResponse response, CompletableFuture<List<Opening>> openings) {
    }

    /** Why a pipeline's producer stopped: the host had nothing more, or a fetch failed or was refused. */
    record End(boolean caughtUp) {
    }

    /** An envelope opened (or not) outside the store's lock. */
    record Opening(EpochKey key, Optional<GroupMessages.Opened> opened, String failure) {
    }

    /**
     * One request for the epochs with the lowest cursor (usually every held epoch at once), long-polling when
     * all held epochs are known to be caught up, and, if the host has more, the pipelined pages after it. Returns
     * {@link Round#WAIT} when there was nothing to ask for or the host failed (the caller waits before the next
     * round), {@link Round#GONE} when the group is gone or no longer hosted at {@code host}.
     */
    Round fetchOnce(GroupId id, Address host, CompletableFuture<Void> wake, BooleanSupplier closed) {
        SyncTracker.Key loop = new SyncTracker.Key(id, host);
        Map<Long, EpochKey> keys = new TreeMap<>();
        Map<Long, Long> cursors = new HashMap<>();
        Map<Long, Long> unstored = emptyPages.getOrDefault(loop, Map.of());
        boolean hosted = ctx.read(tx -> {
            Optional<GroupRecord> g = GroupRepository.find(tx, id);
            if (g.isEmpty() || g.get().head().isEmpty()
                    || g.get().head().get().state().hosts().stream().noneMatch(h -> h.address().equals(host))) {
                return false;
            }
            Map<Long, Long> stored = GroupRepository.cursors(tx, id, host.text());
            for (EpochKey k : GroupRepository.keys(tx, id)) {
                keys.put(k.epoch(), k);
                cursors.put(k.epoch(), Math.max(stored.getOrDefault(k.epoch(), 0L), unstored.getOrDefault(k.epoch(), 0L)));
            }
            return true;
        });
        if (!hosted) {
            return Round.GONE;
        }
        // cursors of epochs whose keys are gone (expired) are not needed any more
        emptyPages.computeIfPresent(loop, (k, moved) -> {
            moved.keySet().retainAll(keys.keySet());
            return moved.isEmpty() ? null : moved;
        });
        return fetch(loop, keys, cursors, wake, closed) ? Round.DONE : Round.WAIT;
    }

    /** What a loop does after {@link #fetchOnce}: ask again, wait a little first, or stop (no longer hosted there). */
    enum Round { DONE, WAIT, GONE }

    /**
     * Cursors moved by answers that brought nothing, per loop and epoch, kept in memory only: storing them would
     * cost a commit for nothing to keep (a rotation wakes every member's loop to ask once with the new epoch's
     * tag, and the host's answer is usually empty). After a restart the loop asks again from the stored cursor
     * and gets the same nothing (or what came since).
     */
    private final Map<SyncTracker.Key, Map<Long, Long>> emptyPages = new java.util.concurrent.ConcurrentHashMap<>();

    /** The loop of {@code group} at {@code host} ended. */
    void forget(GroupId group, Address host) {
        emptyPages.remove(new SyncTracker.Key(group, host));
    }

    private boolean fetch(SyncTracker.Key loop, Map<Long, EpochKey> keys, Map<Long, Long> cursors,
            CompletableFuture<Void> wake, BooleanSupplier closed) {
        if (keys.isEmpty()) {
            sync.waitingForKeys(loop);
            return false;
        }
        long low = cursors.values().stream().min(Long::compare).orElse(0L);
        List<EpochKey> asked = keys.values().stream().filter(k -> cursors.get(k.epoch()) == low).toList();
        boolean allCaughtUp = asked.size() == keys.size();
        // the tag, message key and associated data of each epoch are derived once per round, not per envelope or
        // request (in epoch order: the requests name the tags in that order)
        Map<Bytes, GroupMessages.Opener> byTag = new LinkedHashMap<>();
        asked.forEach(k -> {
            GroupMessages.Opener o = GroupMessages.opener(k);
            byTag.put(o.tag(), o);
        });
        try {
            return round(loop, wake, closed, low, asked, allCaughtUp, byTag);
        } finally {
            byTag.values().forEach(GroupMessages.Opener::close);
        }
    }

    /** Holds no parsed group state while it waits (with many groups, that state is most of the heap). */
    private boolean round(SyncTracker.Key loop, CompletableFuture<Void> wake, BooleanSupplier closed, long low,
            List<EpochKey> asked, boolean allCaughtUp, Map<Bytes, GroupMessages.Opener> byTag) {
        // Until an answer has shown the loop caught up it asks without waiting, so that its progress says so at once.
        boolean longPoll = allCaughtUp && sync.get(loop.group(), loop.host())
                .map(p -> p.state() == SyncProgress.State.CAUGHT_UP).orElse(false);
        int waitMs = !longPoll ? 0 : local.test(loop.host()) ? GroupTraffic.LOCAL_LONG_POLL_MS : GroupTraffic.LONG_POLL_MS;
        CompletableFuture<PeerMessage> call = fetch(loop.group(), loop.host(), byTag.keySet(), low, waitMs);
        CompletableFuture.anyOf(call, wake).exceptionally(e -> null).join();
        if (!call.isDone() || call.isCompletedExceptionally()) {
            if (call.isCompletedExceptionally()) {
                sync.unreachable(loop, "the host did not answer");
            }
            return wake.isDone(); // woken for new keys: ask again at once
        }
        FetchResponse first = call.join().getFetchResponse();
        if (first.hasError()) {
            refused(loop, first.getError());
            return false;
        }
        sync.fetched(loop, low, first);
        Page page = new Page(first, open(first, byTag));
        if (!first.getMore()) {
            if (first.getEnvelopesCount() == 0) {
                Map<Long, Long> moved = emptyPages.computeIfAbsent(loop, k -> new java.util.concurrent.ConcurrentHashMap<>());
                for (EpochKey k : asked) {
                    moved.merge(k.epoch(), first.getNextCursor(), Math::max);
                }
                sync.committed(loop, 0, 0, first.getNextCursor(), true); // nothing to store: no write
                return true;
            }
            store(loop, asked, List.of(page));
            return true;
        }
        return pipeline(loop, asked, byTag, page, closed);
    }

    /**
     * A catch-up: a producer fetches page after page (each from the previous one's next cursor) and starts
     * opening it, while this thread stores them in order. The bounded queue holds the producer back.
     */
    private boolean pipeline(SyncTracker.Key loop, List<EpochKey> asked, Map<Bytes, GroupMessages.Opener> byTag, Page first,
            BooleanSupplier closed) {
        BlockingQueue<Object> ready = new ArrayBlockingQueue<>(PAGES_AHEAD);
        ready.add(first);
        Thread producer = Thread.ofVirtual().name("fetch-ahead").start(() -> {
            FetchResponse last = first.response();
            try {
                while (last.getMore() && !closed.getAsBoolean()) {
                    long cursor = last.getNextCursor();
                    FetchResponse next = fetch(loop.group(), loop.host(), byTag.keySet(), cursor, 0)
                            .get(GroupTraffic.RPC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).getFetchResponse();
                    if (next.hasError()) {
                        refused(loop, next.getError());
                        ready.put(new End(false));
                        return;
                    }
                    sync.fetched(loop, cursor, next);
                    ready.put(new Page(next, open(next, byTag)));
                    last = next;
                }
                ready.put(new End(!last.getMore()));
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                sync.unreachable(loop, "the host did not answer");
                putQuietly(ready, new End(false));
            } catch (InterruptedException e) {
                // the consumer stopped (closing, or a store failure it reports itself)
            }
        });
        try {
            Object carried = null;
            boolean firstPage = true;
            while (true) {
                Object head = carried != null ? carried : ready.take();
                carried = null;
                if (head instanceof End end) {
                    return end.caughtUp();
                }
                Page page = (Page) head;
                page.openings().join(); // meanwhile later pages arrive and open
                List<Page> batch = new ArrayList<>(List.of(page));
                // the first page is stored at once (the reader sees the catch-up start); later pages are gathered
                // into one commit (and fsync) while they arrive and open
                if (!firstPage) {
                    carried = gather(ready, batch);
                }
                firstPage = false;
                store(loop, asked, batch);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            producer.interrupt();
        }
    }

    /**
     * Adds to {@code batch} the pages that follow, each once opened, up to {@link #MAX_ENVELOPES_PER_COMMIT} and
     * {@link #MAX_BYTES_PER_COMMIT}, as long as the next arrives within {@link #GATHER_WAIT}. Each commit costs a
     * write of every index page it touches (message ids are random, so nearly one page per message in a small
     * commit) and an fsync: fewer, larger commits cost less per message. Returns what was taken but not added
     * (the end, or a page that would not fit), or null.
     */
    static Object gather(BlockingQueue<Object> ready, List<Page> batch) throws InterruptedException {
        int envelopes = batch.getFirst().response().getEnvelopesCount();
        long bytes = batch.getFirst().response().getSerializedSize();
        long deadline = System.nanoTime() + GATHER_WAIT.toNanos();
        while (envelopes < MAX_ENVELOPES_PER_COMMIT) {
            Object next = ready.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (next == null) {
                return null;
            }
            if (!(next instanceof Page p) || envelopes + p.response().getEnvelopesCount() > MAX_ENVELOPES_PER_COMMIT
                    || bytes + p.response().getSerializedSize() > MAX_BYTES_PER_COMMIT) {
                return next;
            }
            p.openings().join();
            batch.add(p);
            envelopes += p.response().getEnvelopesCount();
            bytes += p.response().getSerializedSize();
        }
        return null;
    }

    private static void putQuietly(BlockingQueue<Object> q, Object o) {
        try {
            q.put(o);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private CompletableFuture<PeerMessage> fetch(GroupId id, Address host, Collection<Bytes> tags, long cursor,
            int waitMs) {
        FetchRequest.Builder req = FetchRequest.newBuilder().setCursor(cursor).setLimit(WireCodec.MAX_FETCH_LIMIT)
                .setWaitMs(waitMs).setGroupId(WireCodec.bytes(id.bytes()));
        tags.forEach(t -> req.addTags(WireCodec.bytes(t)));
        return hosts.call(host, rid -> GroupContext.message().setFetchRequest(req.setRequestId(rid)).build(),
                Duration.ofMillis(waitMs).plus(GroupTraffic.RPC_TIMEOUT));
    }

    /** A managed host's refusal (removed, not a reader) is shown as an alarm, once per kind in a row. */
    private void refused(SyncTracker.Key loop, HostError e) {
        LOG.debug("a host refused a fetch: {}", e.getMessage());
        sync.refused(loop, e.getMessage());
        switch (e.getCode()) {
            case REMOVED, NOT_A_READER, UNKNOWN_GROUP -> ctx.write(tx -> {
                List<GroupAlarm> alarms = GroupRepository.alarms(tx, loop.group());
                if (alarms.isEmpty() || !alarms.getLast().detail().equals(e.getMessage())) {
                    GroupRepository.alarm(tx, loop.group(), "fetch-refused", e.getMessage(), ctx.clock().instant());
                }
                return null;
            });
            default -> { }
        }
    }

    /** Opens and verifies a page's envelopes on every core; envelopes under tags not asked for are dropped. */
    private CompletableFuture<List<Opening>> open(FetchResponse page, Map<Bytes, GroupMessages.Opener> byTag) {
        return CompletableFuture.supplyAsync(() -> page.getEnvelopesList().parallelStream()
                .map(he -> open(he, byTag))
                .filter(Objects::nonNull)
                .toList(), openers);
    }

    private static Opening open(HostedEnvelope he, Map<Bytes, GroupMessages.Opener> byTag) {
        GroupMessages.Opener opener = byTag.get(Bytes.wrap(he.getEnvelope().getTag().toByteArray()));
        if (opener == null) {
            return null;
        }
        try {
            return new Opening(opener.key(), Optional.of(opener.open(he.getEnvelope())), null);
        } catch (CryptoException | MalformedMessageException e) {
            return new Opening(opener.key(), Optional.empty(), e.getMessage());
        }
    }

    /**
     * Stores consecutive pages in one transaction and moves the asked epochs' cursors to the end of the last:
     * messages are inserted once (by id), and the cursor never passes anything not committed with it.
     */
    private void store(SyncTracker.Key loop, List<EpochKey> asked, List<Page> pages) {
        List<List<Opening>> opened = pages.stream().map(p -> p.openings().join()).toList();
        FetchResponse last = pages.getLast().response();
        int inserted = ctx.write(tx -> {
            GroupRecord g = GroupRepository.find(tx, loop.group()).orElseThrow();
            Map<Long, Optional<GroupState>> states = new HashMap<>();
            int n = 0;
            try (GroupRepository.MessageInserter insert = GroupRepository.messageInserter(tx)) {
                for (List<Opening> page : opened) {
                    for (Opening o : page) {
                        n += accept(tx, g, o, states, insert) ? 1 : 0;
                    }
                }
            }
            for (EpochKey k : asked) {
                GroupRepository.setCursor(tx, loop.group(), loop.host().text(), k.epoch(), last.getNextCursor());
            }
            return n;
        });
        int envelopes = pages.stream().mapToInt(p -> p.response().getEnvelopesCount()).sum();
        sync.committed(loop, envelopes, inserted, last.getNextCursor(), !last.getMore());
    }

    /**
     * Checks and stores one opened envelope; anything wrong with it becomes an alarm, never an exception.
     * True if it was new.
     */
    private boolean accept(Transaction tx, GroupRecord g, Opening o, Map<Long, Optional<GroupState>> states,
            GroupRepository.MessageInserter insert) throws SQLException {
        Instant now = ctx.clock().instant();
        if (o.opened().isEmpty()) {
            GroupRepository.alarm(tx, g.id(), "bad-message", "a message failed to open or verify: " + o.failure(), now);
            return false;
        }
        GroupMessages.Opened m = o.opened().get();
        Optional<GroupState> stateAtEpoch = states.get(m.epoch());
        if (stateAtEpoch == null) {
            stateAtEpoch = GroupRepository.stateAt(tx, g.id(), m.epoch());
            states.put(m.epoch(), stateAtEpoch);
        }
        boolean writer = m.sender().equals(g.manager()) || stateAtEpoch
                .flatMap(s -> s.permissionOf(m.sender())).map(Permission::canWrite).orElse(false);
        if (!writer) {
            GroupRepository.alarm(tx, g.id(), "not-a-writer", "a message from a member without write permission", now);
            return false;
        }
        if (!m.updateHash().equals(o.key().updateHash())) {
            GroupRepository.alarm(tx, g.id(), "split", "a member's message carries another state for epoch "
                    + m.epoch(), now);
        }
        if (m.announcedUpdate().isPresent()) {
            member.checkForeignUpdate(tx, g, m.announcedUpdate().get());
        }
        String text = m.overlay().overlay() == ChatOverlay.TEXT ? m.overlay().data()
                : "[unsupported message type " + m.overlay().overlay() + "]";
        if (insert.insert(g.id(), m.id(), m.epoch(), m.sender(), text, m.sentAt(), now)) {
            manager.countMessage(tx, g, m.epoch());
            return true;
        }
        return false;
    }

    @Override
    public void close() {
        openers.shutdownNow();
    }
}
