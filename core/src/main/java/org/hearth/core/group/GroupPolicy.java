package org.hearth.core.group;

import java.time.Duration;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.proto.PolicyProto;

/**
 * A group's key policy. Zero durations/counts switch a rule off. Rotations are never closer together than
 * {@code minRotationInterval}: changes inside it are batched into the next rotation.
 */
public record GroupPolicy(Duration rotateEvery, long rotateAfterMessages, Duration minRotationInterval,
        KeyCatchup keyCatchup, Duration keyRetention, Duration messageRetention, long maxMessages) {

    /** Hourly rotation, or after 1000 messages; at most one rotation per 10 s; 7 days of keys kept. */
    public static final GroupPolicy DEFAULT = new GroupPolicy(Duration.ofHours(1), 1000, Duration.ofSeconds(10),
            KeyCatchup.SINCE_JOIN, Duration.ofDays(7));

    /** A policy whose hosts keep messages without limit. */
    public GroupPolicy(Duration rotateEvery, long rotateAfterMessages, Duration minRotationInterval,
            KeyCatchup keyCatchup, Duration keyRetention) {
        this(rotateEvery, rotateAfterMessages, minRotationInterval, keyCatchup, keyRetention, Duration.ZERO, 0);
    }

    public GroupPolicy withMessageRetention(Duration age, long count) {
        return new GroupPolicy(rotateEvery, rotateAfterMessages, minRotationInterval, keyCatchup, keyRetention, age,
                count);
    }

    private static final long MAX_SECONDS = 10L * 365 * 24 * 3600;

    public GroupPolicy {
        for (Duration d : new Duration[] {rotateEvery, minRotationInterval, keyRetention, messageRetention}) {
            if (d.isNegative() || d.getSeconds() > MAX_SECONDS) {
                throw new IllegalArgumentException("policy durations are between 0 and 10 years");
            }
        }
        if (rotateAfterMessages < 0 || rotateAfterMessages > 1_000_000_000L) {
            throw new IllegalArgumentException("rotate-after-messages is between 0 and 10^9");
        }
        if (maxMessages < 0 || maxMessages > 1_000_000_000L) {
            throw new IllegalArgumentException("max-messages is between 0 and 10^9");
        }
        if (keyCatchup == null) {
            throw new IllegalArgumentException("key catch-up policy missing");
        }
    }

    PolicyProto toProto() {
        return PolicyProto.newBuilder().setRotateEveryS(rotateEvery.getSeconds())
                .setRotateAfterMessages(rotateAfterMessages)
                .setMinRotationIntervalS(minRotationInterval.getSeconds())
                .setKeyCatchup(keyCatchup.toProto())
                .setKeyRetentionS(keyRetention.getSeconds())
                .setMessageRetentionS(messageRetention.getSeconds())
                .setMaxMessages(maxMessages)
                .build();
    }

    public static GroupPolicy fromProto(PolicyProto p) throws MalformedMessageException {
        try {
            return new GroupPolicy(seconds(p.getRotateEveryS()), p.getRotateAfterMessages(),
                    seconds(p.getMinRotationIntervalS()), KeyCatchup.fromProto(p.getKeyCatchup()),
                    seconds(p.getKeyRetentionS()), seconds(p.getMessageRetentionS()), p.getMaxMessages());
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException("bad policy: " + e.getMessage());
        }
    }

    private static Duration seconds(long s) {
        if (s < 0 || s > MAX_SECONDS) {
            throw new IllegalArgumentException("duration out of range");
        }
        return Duration.ofSeconds(s);
    }

    /** Canonical encoding (part of the state digest). */
    void writeCanonical(Canonical out) {
        out.u64(rotateEvery.getSeconds());
        out.u64(rotateAfterMessages);
        out.u64(minRotationInterval.getSeconds());
        out.u8(keyCatchup.ordinal() + 1);
        out.u64(keyRetention.getSeconds());
        out.u64(messageRetention.getSeconds());
        out.u64(maxMessages);
    }
}
