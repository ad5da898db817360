package org.hearth.node.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hearth.node.host.HostFixtures.caller;

import java.time.Duration;
import java.time.Instant;
import org.hearth.node.testkit.MutableClock;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));

    @Test
    void tryAcquire_burstSpent_refillsAtTheRate() {
        RateLimiter limiter = new RateLimiter(new HostLimits.Rate(10, 5), clock);
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.tryAcquire(caller(1))).isTrue();
        }
        assertThat(limiter.tryAcquire(caller(1))).isFalse();

        clock.advance(Duration.ofMillis(250)); // 2.5 tokens

        assertThat(limiter.tryAcquire(caller(1))).isTrue();
        assertThat(limiter.tryAcquire(caller(1))).isTrue();
        assertThat(limiter.tryAcquire(caller(1))).isFalse();
    }

    @Test
    void tryAcquire_clockStepsBack_grantsNothingExtra() {
        RateLimiter limiter = new RateLimiter(new HostLimits.Rate(1, 1), clock);
        assertThat(limiter.tryAcquire(caller(1))).isTrue();

        clock.advance(Duration.ofHours(-1));
        assertThat(limiter.tryAcquire(caller(1))).isFalse();
        clock.advance(Duration.ofHours(1));
        assertThat(limiter.tryAcquire(caller(1))).isFalse(); // the hour back is not counted as refill time
        clock.advance(Duration.ofSeconds(1));
        assertThat(limiter.tryAcquire(caller(1))).isTrue();
    }

    @Test
    void tryAcquire_manyIdleCallers_forgotten() {
        RateLimiter limiter = new RateLimiter(new HostLimits.Rate(100, 100), clock);
        for (int i = 0; i <= RateLimiter.SWEEP_THRESHOLD; i++) {
            limiter.tryAcquire(caller(i));
        }
        assertThat(limiter.trackedCallers()).isEqualTo(RateLimiter.SWEEP_THRESHOLD + 1);

        clock.advance(Duration.ofSeconds(2));
        limiter.tryAcquire(caller(-1));

        assertThat(limiter.trackedCallers()).isEqualTo(1);
    }
}
