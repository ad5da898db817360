package org.hearth.core.group;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When the manager starts a new epoch. Wanted on a pending change or explicit request, at max age, or at max
 * messages; never sooner than the minimum interval after the previous rotation (a flood of joins cannot
 * force a rotation storm: changes inside the interval wait and go out together).
 */
public final class RotationPolicy {
    private RotationPolicy() {
    }

    /** What the manager knows about the current epoch. */
    public record Inputs(Instant now, Instant epochStartedAt, long messagesInEpoch, boolean changesPending,
            boolean rotationRequested) {
    }

    /** Rotate now, or check again at {@code nextCheck} (empty: nothing scheduled). */
    public record Decision(boolean rotateNow, Optional<Instant> nextCheck) {
    }

    public static Decision decide(GroupPolicy p, Inputs in) {
        Instant ageDue = p.rotateEvery().isZero() ? null : in.epochStartedAt().plus(p.rotateEvery());
        boolean wanted = in.changesPending() || in.rotationRequested()
                || (ageDue != null && !in.now().isBefore(ageDue))
                || (p.rotateAfterMessages() > 0 && in.messagesInEpoch() >= p.rotateAfterMessages());
        if (!wanted) {
            return new Decision(false, Optional.ofNullable(ageDue));
        }
        Instant earliest = in.epochStartedAt().plus(p.minRotationInterval());
        if (!in.now().isBefore(earliest)) {
            return new Decision(true, Optional.empty());
        }
        return new Decision(false, Optional.of(earliest));
    }

    /** Whether a key of an epoch that ended at {@code endedAt} must be deleted at {@code now}. */
    public static boolean expired(GroupPolicy p, Instant endedAt, Instant now) {
        Duration r = p.keyRetention();
        return !r.isZero() && !now.isBefore(endedAt.plus(r));
    }
}
