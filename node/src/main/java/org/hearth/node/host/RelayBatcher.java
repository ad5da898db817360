package org.hearth.node.host;

import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.hearth.core.bytes.Bytes;
import org.hearth.node.store.Database;
import org.hearth.node.store.Transaction;

/**
 * Folds concurrent relays into one item of the store's group commit: relays queue here, and at most one store
 * item waits in the committer at a time; when it runs it takes every relay queued by then and inserts them with
 * one prepared statement. The group commit already shares one fsync among its items; this also saves each relay
 * its own savepoint and statement. A relay's future completes only after the commit that stored it (true if it
 * stored the envelope, false if the envelope was already there), or exceptionally if that item failed (then
 * none of its relays was stored, and none was acknowledged).
 */
final class RelayBatcher {
    /** One envelope to store. */
    record Relay(EnvelopeId id, Bytes tag, byte[] envelope) {
    }

    private record Queued(Relay relay, CompletableFuture<Boolean> stored) {
    }

    private final Database db;
    private final Clock clock;
    private final Waiters waiters;
    private final ConcurrentLinkedQueue<Queued> queue = new ConcurrentLinkedQueue<>();
    /** Whether a store item is queued in the committer and has not started draining. */
    private final AtomicBoolean itemPending = new AtomicBoolean();

    RelayBatcher(Database db, Clock clock, Waiters waiters) {
        this.db = db;
        this.clock = clock;
        this.waiters = waiters;
    }

    /** Completes on the store's commit thread (or the caller's, if the store is closed): callers must hop off it. */
    CompletableFuture<Boolean> store(Relay relay) {
        Queued q = new Queued(relay, new CompletableFuture<>());
        queue.add(q);
        if (itemPending.compareAndSet(false, true)) {
            Item item = new Item();
            db.writeAsync(item::run).whenComplete((ignored, failure) -> item.finish(failure));
        }
        return q.stored();
    }

    /** One store item: the relays it drained and what became of each. */
    private final class Item {
        private final List<Queued> taken = new ArrayList<>();
        private boolean[] inserted;
        private boolean ran;

        /** On the commit thread, inside the group commit's transaction. */
        private Void run(Transaction tx) throws SQLException {
            ran = true;
            itemPending.set(false); // relays queued from now on need the next item
            drain();
            List<Relay> relays = new ArrayList<>(taken.size());
            Set<Bytes> tags = new LinkedHashSet<>();
            for (Queued q : taken) {
                relays.add(q.relay());
            }
            inserted = HostStore.insertAll(tx, relays, clock.instant());
            for (int i = 0; i < relays.size(); i++) {
                if (inserted[i]) {
                    tags.add(relays.get(i).tag());
                }
            }
            tx.afterCommit(() -> tags.forEach(waiters::signal));
            return null;
        }

        private void finish(Throwable failure) {
            if (!ran) {
                // the store refused the item (closed): fail whatever waits, or it would wait forever
                itemPending.set(false);
                drain();
            }
            for (int i = 0; i < taken.size(); i++) {
                CompletableFuture<Boolean> f = taken.get(i).stored();
                if (failure == null) {
                    f.complete(inserted[i]);
                } else {
                    f.completeExceptionally(failure);
                }
            }
        }

        private void drain() {
            for (Queued q; (q = queue.poll()) != null; ) {
                taken.add(q);
            }
        }
    }
}
