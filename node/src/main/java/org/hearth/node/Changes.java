package org.hearth.node;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * A counter bumped after every committed change a user could see (contact, message, delivery). Lets the UI,
 * the demo and tests wait for "something changed" instead of sleeping.
 */
public final class Changes {
    private long version;

    public synchronized void bump() {
        version++;
        notifyAll();
    }

    public synchronized long version() {
        return version;
    }

    /** Waits until the version passes {@code after} or the timeout ends; returns the current version. */
    public synchronized long awaitAfter(long after, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (version <= after) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return version;
    }

    /** Waits until {@code condition} holds, re-checking after each change; false on timeout. */
    public boolean awaitCondition(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long seen = version();
            if (condition.getAsBoolean()) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            awaitAfter(seen, Duration.ofNanos(left));
        }
    }
}
