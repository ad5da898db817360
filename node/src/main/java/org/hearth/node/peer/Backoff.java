package org.hearth.node.peer;

import java.time.Duration;
import org.hearth.core.crypto.RandomSource;

/** Exponential reconnect backoff with jitter: 250 ms doubling to 15 s. */
final class Backoff {
    static final Duration MIN = Duration.ofMillis(250);
    static final Duration MAX = Duration.ofSeconds(15);

    private Backoff() {
    }

    static Duration delay(int attempt, RandomSource random) {
        long base = Math.min(MAX.toMillis(), MIN.toMillis() << Math.min(attempt, 10));
        int jitter = Byte.toUnsignedInt(random.bytes(1)[0]);
        // up to +25% jitter so peers that lost each other do not redial in lockstep
        return Duration.ofMillis(base + base * jitter / 1024);
    }
}
