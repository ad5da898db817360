package org.hearth.node.group;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.hearth.core.group.GroupId;
import org.hearth.core.identity.Address;
import org.hearth.core.wire.proto.FetchResponse;

/** The latest {@link SyncProgress} of every fetch loop; each update replaces a loop's immutable snapshot. */
final class SyncTracker {
    private final Clock clock;
    private final Map<Key, SyncProgress> loops = new ConcurrentHashMap<>();

    record Key(GroupId group, Address host) {
    }

    SyncTracker(Clock clock) {
        this.clock = clock;
    }

    Optional<SyncProgress> get(GroupId group, Address host) {
        return Optional.ofNullable(loops.get(new Key(group, host)));
    }

    void forget(GroupId group, Address host) {
        loops.remove(new Key(group, host));
    }

    void waitingForKeys(Key k) {
        loops.compute(k, (x, p) -> with(base(k, p), SyncProgress.State.WAITING_FOR_KEYS, ""));
    }

    void unreachable(Key k, String problem) {
        loops.compute(k, (x, p) -> with(base(k, p), SyncProgress.State.UNREACHABLE, problem));
    }

    void refused(Key k, String problem) {
        loops.compute(k, (x, p) -> with(base(k, p), SyncProgress.State.REFUSED, problem));
    }

    /** A page arrived from {@code cursor}; a new count starts when the loop was caught up (or had not started). */
    void fetched(Key k, long cursor, FetchResponse page) {
        loops.compute(k, (x, p) -> {
            SyncProgress b = base(k, p);
            boolean fresh = p == null || b.state() == SyncProgress.State.CAUGHT_UP && page.getMore()
                    || b.state() == SyncProgress.State.CONNECTING;
            var now = clock.instant();
            if (fresh) {
                b = new SyncProgress(k.host(), b.state(), 0, 0, 0, cursor, cursor, 0, now, now, "");
            }
            SyncProgress.State state = b.state() == SyncProgress.State.CAUGHT_UP && !page.getMore()
                    ? SyncProgress.State.CAUGHT_UP : SyncProgress.State.SYNCING;
            return new SyncProgress(k.host(), state, b.received() + page.getEnvelopesCount(), b.processed(),
                    b.stored(), b.startCursor(), b.cursor(), Math.max(b.head(), page.getHead()), b.since(), now, "");
        });
    }

    /** Pages up to {@code cursor} are committed; {@code caughtUp} when the last of them said nothing more waits. */
    void committed(Key k, int envelopes, int inserted, long cursor, boolean caughtUp) {
        loops.compute(k, (x, p) -> {
            SyncProgress b = base(k, p);
            return new SyncProgress(k.host(), caughtUp ? SyncProgress.State.CAUGHT_UP : SyncProgress.State.SYNCING,
                    b.received(), b.processed() + envelopes, b.stored() + inserted, b.startCursor(),
                    Math.max(b.cursor(), cursor), b.head(), b.since(), clock.instant(), "");
        });
    }

    private SyncProgress base(Key k, SyncProgress p) {
        return p != null ? p : SyncProgress.connecting(k.host(), clock.instant());
    }

    private SyncProgress with(SyncProgress b, SyncProgress.State state, String problem) {
        return new SyncProgress(b.host(), state, b.received(), b.processed(), b.stored(), b.startCursor(), b.cursor(),
                b.head(), b.since(), clock.instant(), problem);
    }
}
