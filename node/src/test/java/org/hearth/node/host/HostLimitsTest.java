package org.hearth.node.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.hearth.core.wire.WireCodec;
import org.junit.jupiter.api.Test;

class HostLimitsTest {
    @Test
    void default_largestEnvelopeFitsAPageAndAPageFitsAMessage() {
        HostLimits d = HostLimits.DEFAULT;

        assertThat(d.maxEnvelopeBytes()).isEqualTo(48 * 1024);
        assertThat(d.maxPageBytes()).isEqualTo(56 * 1024).isLessThan(WireCodec.MAX_MESSAGE_BYTES);
        assertThat(d.maxWait()).isEqualTo(Duration.ofSeconds(25));
        assertThat(d.quotaBytes()).isEqualTo(1L << 30);
    }

    @Test
    void constructor_envelopeLargerThanPage_rejected() {
        assertThatThrownBy(() -> new HostLimits(56 * 1024, 64, 500, 56 * 1024, Duration.ofSeconds(25), 16,
                new HostLimits.Rate(1, 1), new HostLimits.Rate(1, 1), 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void constructor_pageLargerThanMessage_rejected() {
        assertThatThrownBy(() -> new HostLimits(48 * 1024, 64, 500, 60 * 1024, Duration.ofSeconds(25), 16,
                new HostLimits.Rate(1, 1), new HostLimits.Rate(1, 1), 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rate_nonPositive_rejected() {
        assertThatThrownBy(() -> new HostLimits.Rate(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HostLimits.Rate(1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HostLimits.Rate(Double.NaN, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
