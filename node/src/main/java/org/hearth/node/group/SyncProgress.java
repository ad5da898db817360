package org.hearth.node.group;

import java.time.Instant;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.hearth.core.identity.Address;

/**
 * How far this node has read a group at one of its hosts, for progress bars. Counts run from {@code since}: the
 * moment the fetch loop started, or last left the caught-up state. The backlog's size is an estimate: hosts give
 * a position (sequence numbers, shared by every group an untrusted host carries), not a count of what is left.
 *
 * @param received envelopes fetched since {@code since}, including pages still being opened or stored
 * @param processed envelopes of pages committed since {@code since} (stored, duplicates and refused alike)
 * @param stored messages newly stored since {@code since} (duplicates of messages already held do not count)
 * @param startCursor the host position the count started from
 * @param cursor the host position committed so far (everything up to it is stored)
 * @param head the host's highest position when it last answered; 0 if it did not say
 * @param problem why the loop is unreachable or refused, or empty
 */
public record SyncProgress(Address host, State state, long received, long processed, long stored, long startCursor,
        long cursor, long head, Instant since, Instant updatedAt, String problem) {

    public enum State {
        /** No answer from the host yet. */
        CONNECTING,
        /** No key of the group is held yet, so there is nothing to ask for. */
        WAITING_FOR_KEYS,
        /** Pages are coming in: the host said more are waiting. */
        SYNCING,
        /** The last answer said nothing more is waiting and all of it is stored. */
        CAUGHT_UP,
        /** The host did not answer; the loop retries. */
        UNREACHABLE,
        /** The host refused the fetch (see {@code problem}); the loop retries. */
        REFUSED;

        public String wire() {
            return name().toLowerCase().replace('_', '-');
        }
    }

    /** The share of the backlog read, from 0 to 1; empty when the host did not tell its position. */
    public OptionalDouble fraction() {
        if (state == State.CAUGHT_UP) {
            return OptionalDouble.of(1);
        }
        if (head <= startCursor) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(Math.min(1, Math.max(0, (double) (cursor - startCursor) / (head - startCursor))));
    }

    /**
     * Envelopes probably still to read: what was processed, scaled by the share of the host's positions left. Exact
     * when the host carries only this group; a guess for a host shared by many groups.
     */
    public OptionalLong remainingEstimate() {
        if (state == State.CAUGHT_UP) {
            return OptionalLong.of(0);
        }
        OptionalDouble f = fraction();
        if (f.isEmpty() || f.getAsDouble() <= 0 || processed == 0) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Math.round(processed * (1 - f.getAsDouble()) / f.getAsDouble()));
    }

    static SyncProgress connecting(Address host, Instant now) {
        return new SyncProgress(host, State.CONNECTING, 0, 0, 0, 0, 0, 0, now, now, "");
    }
}
