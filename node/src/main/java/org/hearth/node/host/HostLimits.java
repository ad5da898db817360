package org.hearth.node.host;

import java.time.Duration;
import java.util.Objects;
import org.hearth.core.wire.WireCodec;

/**
 * Size and abuse limits of a host. The envelope format itself (tag, nonce, minimum ciphertext) is fixed by the
 * protocol and not configurable; everything else is, with {@link #DEFAULT} as the sane starting point.
 *
 * @param maxEnvelopeBytes largest serialized envelope accepted for relay
 * @param maxFetchTags most tags one fetch may name
 * @param maxFetchLimit most envelopes per page; a larger or zero request limit is served as this
 * @param maxPageBytes most encoded envelopes per page, so a response fits one peer message
 * @param maxWait longest long poll; a longer request wait is served as this
 * @param maxWaitingFetchesPerCaller long polls held at once per caller; more are answered without waiting
 * @param relayRate per-caller relay rate
 * @param fetchRate per-caller fetch rate
 * @param quotaBytes total storage, counted as envelope bytes plus {@link #ROW_OVERHEAD_BYTES} per envelope
 */
public record HostLimits(int maxEnvelopeBytes, int maxFetchTags, int maxFetchLimit, int maxPageBytes,
        Duration maxWait, int maxWaitingFetchesPerCaller, Rate relayRate, Rate fetchRate, long quotaBytes) {

    public static final int TAG_BYTES = 16;
    public static final int NONCE_BYTES = 24;
    /** The Poly1305 tag alone is 16 bytes; anything shorter cannot be a sealed message. */
    public static final int MIN_CIPHERTEXT_BYTES = 16;
    /**
     * Charged per stored envelope on top of its bytes (id, tag, seq, index entries), so that a flood of tiny
     * envelopes cannot store far more than the quota says.
     */
    public static final int ROW_OVERHEAD_BYTES = 64;
    /** Room a page leaves in a peer message for the response's own fields and the message wrapper. */
    static final int PAGE_SLACK_BYTES = 1024;
    /** What a single envelope adds to a page beyond its own bytes (seq and length prefixes). */
    static final int ENTRY_OVERHEAD_BYTES = 32;

    public static final HostLimits DEFAULT = new HostLimits(48 * 1024, 64, 500, 56 * 1024, Duration.ofSeconds(25),
            16, new Rate(500, 2000), new Rate(200, 1000), 1L << 30);

    public HostLimits {
        Objects.requireNonNull(maxWait, "maxWait");
        Objects.requireNonNull(relayRate, "relayRate");
        Objects.requireNonNull(fetchRate, "fetchRate");
        if (maxFetchTags < 1 || maxFetchLimit < 1 || maxWaitingFetchesPerCaller < 0 || quotaBytes < 0
                || maxWait.isNegative()) {
            throw new IllegalArgumentException("host limits must be positive");
        }
        if (maxEnvelopeBytes < TAG_BYTES + NONCE_BYTES + MIN_CIPHERTEXT_BYTES) {
            throw new IllegalArgumentException("maxEnvelopeBytes cannot hold the smallest envelope");
        }
        // The first envelope of a page is always sent, so the largest envelope must fit a page, and a page a
        // peer message: otherwise a stored envelope could never be fetched.
        if (maxEnvelopeBytes + ENTRY_OVERHEAD_BYTES > maxPageBytes
                || maxPageBytes > WireCodec.MAX_MESSAGE_BYTES - PAGE_SLACK_BYTES) {
            throw new IllegalArgumentException("need maxEnvelopeBytes + " + ENTRY_OVERHEAD_BYTES
                    + " <= maxPageBytes <= " + (WireCodec.MAX_MESSAGE_BYTES - PAGE_SLACK_BYTES));
        }
    }

    public HostLimits withQuotaBytes(long quota) {
        return new HostLimits(maxEnvelopeBytes, maxFetchTags, maxFetchLimit, maxPageBytes, maxWait,
                maxWaitingFetchesPerCaller, relayRate, fetchRate, quota);
    }

    public HostLimits withRelayRate(Rate rate) {
        return new HostLimits(maxEnvelopeBytes, maxFetchTags, maxFetchLimit, maxPageBytes, maxWait,
                maxWaitingFetchesPerCaller, rate, fetchRate, quotaBytes);
    }

    public HostLimits withFetchRate(Rate rate) {
        return new HostLimits(maxEnvelopeBytes, maxFetchTags, maxFetchLimit, maxPageBytes, maxWait,
                maxWaitingFetchesPerCaller, relayRate, rate, quotaBytes);
    }

    public HostLimits withMaxWaitingFetchesPerCaller(int max) {
        return new HostLimits(maxEnvelopeBytes, maxFetchTags, maxFetchLimit, maxPageBytes, maxWait, max,
                relayRate, fetchRate, quotaBytes);
    }

    /** Storage charged for one envelope of {@code envelopeBytes}. */
    static long storageCost(int envelopeBytes) {
        return (long) envelopeBytes + ROW_OVERHEAD_BYTES;
    }

    /** A token bucket: {@code perSecond} sustained, up to {@code burst} at once. */
    public record Rate(double perSecond, int burst) {
        public Rate {
            if (!(perSecond > 0) || Double.isInfinite(perSecond) || burst < 1) {
                throw new IllegalArgumentException("a rate needs perSecond > 0 and burst >= 1");
            }
        }
    }
}
