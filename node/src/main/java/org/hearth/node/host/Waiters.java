package org.hearth.node.host;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.hearth.core.bytes.Bytes;

/**
 * Long polls waiting on routing tags. A signal is one-shot: it removes every waiter of the tag, which then
 * re-registers if it wants more. Sets are mutated only inside the map's atomic {@code compute}, so a waiter is
 * either in the set a signal takes out (and is told) or registered after it (and finds the new row when it
 * queries) — never lost in between. No thread is held per waiter.
 */
final class Waiters {
    /** Told that a commit added an envelope under one of its tags. Called on the commit thread: must not block. */
    interface Waiter {
        void signalled();
    }

    private final ConcurrentHashMap<Bytes, Set<Waiter>> byTag = new ConcurrentHashMap<>();

    void watch(Collection<Bytes> tags, Waiter w) {
        for (Bytes tag : tags) {
            byTag.compute(tag, (t, set) -> {
                Set<Waiter> s = set == null ? new HashSet<>() : set;
                s.add(w);
                return s;
            });
        }
    }

    void unwatch(Collection<Bytes> tags, Waiter w) {
        for (Bytes tag : tags) {
            byTag.computeIfPresent(tag, (t, set) -> {
                set.remove(w);
                return set.isEmpty() ? null : set;
            });
        }
    }

    /** Wakes every waiter on {@code tag}. */
    void signal(Bytes tag) {
        Set<Waiter> woken = byTag.remove(tag);
        if (woken != null) {
            woken.forEach(Waiter::signalled);
        }
    }

    /** Number of tags someone waits on (for tests: a finished poll must leave nothing behind). */
    int watchedTags() {
        return byTag.size();
    }
}
