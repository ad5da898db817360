package org.hearth.node.host;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Storage in use, kept in memory (initialised from the store) so that admission costs no query. Relays reserve
 * before they are written and release if nothing was stored, so concurrent relays cannot overshoot the limit.
 */
final class Quota {
    private final long limitBytes;
    private final AtomicLong usedBytes;

    Quota(long limitBytes, long usedBytes) {
        this.limitBytes = limitBytes;
        this.usedBytes = new AtomicLong(usedBytes);
    }

    /** Reserves {@code bytes}; false, reserving nothing, if that would pass the limit. */
    boolean tryReserve(long bytes) {
        while (true) {
            long used = usedBytes.get();
            if (used + bytes > limitBytes) {
                return false;
            }
            if (usedBytes.compareAndSet(used, used + bytes)) {
                return true;
            }
        }
    }

    void release(long bytes) {
        usedBytes.addAndGet(-bytes);
    }

    long usedBytes() {
        return usedBytes.get();
    }
}
