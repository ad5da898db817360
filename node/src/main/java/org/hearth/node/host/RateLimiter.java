package org.hearth.node.host;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.hearth.core.identity.Address;

/** Per-caller token buckets, refilled from the injected clock. */
final class RateLimiter {
    /** Above this many tracked callers, idle (full) buckets are dropped: a full bucket is the same as none. */
    static final int SWEEP_THRESHOLD = 4096;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final HostLimits.Rate rate;
    private final Clock clock;
    private final ConcurrentHashMap<Address, Bucket> buckets = new ConcurrentHashMap<>();
    private final AtomicLong lastSweep;

    RateLimiter(HostLimits.Rate rate, Clock clock) {
        this.rate = rate;
        this.clock = clock;
        this.lastSweep = new AtomicLong(nanos(clock.instant()) - NANOS_PER_SECOND);
    }

    /** Takes one token from {@code caller}'s bucket; false when it is empty. */
    boolean tryAcquire(Address caller) {
        long now = nanos(clock.instant());
        sweepIfLarge(now);
        return buckets.computeIfAbsent(caller, c -> new Bucket(rate.burst(), now)).tryTake(now, rate);
    }

    int trackedCallers() {
        return buckets.size();
    }

    /**
     * Identities are cheap, so the map must not grow with every caller ever seen. Sweeping is O(callers), so it
     * runs at most once a second.
     */
    private void sweepIfLarge(long now) {
        long last = lastSweep.get();
        if (buckets.size() > SWEEP_THRESHOLD && now - last >= NANOS_PER_SECOND && lastSweep.compareAndSet(last, now)) {
            buckets.values().removeIf(b -> b.isFull(now, rate));
        }
    }

    private static long nanos(Instant t) {
        return t.getEpochSecond() * NANOS_PER_SECOND + t.getNano();
    }

    private static final class Bucket {
        private double tokens; // guarded by this
        private long lastNanos; // guarded by this

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.lastNanos = now;
        }

        synchronized boolean tryTake(long now, HostLimits.Rate rate) {
            refill(now, rate);
            if (tokens < 1) {
                return false;
            }
            tokens -= 1;
            return true;
        }

        synchronized boolean isFull(long now, HostLimits.Rate rate) {
            refill(now, rate);
            return tokens >= rate.burst();
        }

        private void refill(long now, HostLimits.Rate rate) {
            // A clock stepping backwards must not drain or overfill the bucket: ignore the step.
            long elapsed = Math.max(0, now - lastNanos);
            tokens = Math.min(rate.burst(), tokens + elapsed * rate.perSecond() / NANOS_PER_SECOND);
            lastNanos = Math.max(lastNanos, now);
        }
    }
}
