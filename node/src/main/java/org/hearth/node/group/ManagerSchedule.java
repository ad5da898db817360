package org.hearth.node.group;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import org.hearth.core.group.GroupId;

/**
 * When each managed group next needs the manager: one due time per group, in a priority queue, so a sweep
 * touches only the groups that are due (an idle manager of 10,000 groups reads none of them). A group with
 * nothing timed (no maximum age, no pending change) has no entry until something makes it due.
 *
 * <p>{@link #offer} keeps the earlier of two times: a caller that learned of a change (a proposal, a counted
 * message) can never be overridden by a sweep that read the group just before the change; the price is at
 * most one tick that finds nothing to do.
 */
final class ManagerSchedule {
    private record Entry(Instant due, long seq, GroupId id) {
    }

    private final PriorityQueue<Entry> queue = new PriorityQueue<>(
            (a, b) -> a.due().equals(b.due()) ? Long.compare(a.seq(), b.seq()) : a.due().compareTo(b.due()));
    /** The live due time of each scheduled group; queue entries that disagree are stale and skipped. */
    private final Map<GroupId, Instant> due = new HashMap<>();
    private long seq;

    /** Schedules {@code id} at {@code at}, unless it is already due sooner. */
    synchronized void offer(GroupId id, Instant at) {
        Instant current = due.get(id);
        if (current != null && !at.isBefore(current)) {
            return;
        }
        due.put(id, at);
        queue.add(new Entry(at, seq++, id));
        if (queue.size() > 2 * due.size() + 64) {
            compact();
        }
    }

    /** Removes and returns the groups due at or before {@code now}, earliest first. */
    synchronized List<GroupId> takeDue(Instant now) {
        List<GroupId> out = new ArrayList<>();
        while (!queue.isEmpty() && !queue.peek().due().isAfter(now)) {
            Entry e = queue.poll();
            if (e.due().equals(due.get(e.id()))) {
                due.remove(e.id());
                out.add(e.id());
            }
        }
        return out;
    }

    synchronized Optional<Instant> dueAt(GroupId id) {
        return Optional.ofNullable(due.get(id));
    }

    synchronized int size() {
        return due.size();
    }

    private void compact() {
        queue.clear();
        due.forEach((id, at) -> queue.add(new Entry(at, seq++, id)));
    }
}
