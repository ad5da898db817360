package org.hearth.node.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.group.GroupId;
import org.junit.jupiter.api.Test;

/** The manager's per-group schedule: only due groups come out, earliest first; an earlier time wins. */
class ManagerScheduleTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final ManagerSchedule schedule = new ManagerSchedule();

    @Test
    void takeDue_groupDueLater_notTakenBeforeItsTime() {
        GroupId soon = id(1);
        GroupId later = id(2);
        schedule.offer(later, T0.plusSeconds(3600));
        schedule.offer(soon, T0.plusSeconds(10));

        assertThat(schedule.takeDue(T0)).isEmpty();
        assertThat(schedule.takeDue(T0.plusSeconds(10))).containsExactly(soon);
        assertThat(schedule.takeDue(T0.plusSeconds(3599))).isEmpty();
        assertThat(schedule.dueAt(later)).contains(T0.plusSeconds(3600));
        assertThat(schedule.takeDue(T0.plusSeconds(3600))).containsExactly(later);
        assertThat(schedule.size()).isZero();
    }

    @Test
    void offer_laterThanScheduled_keepsTheEarlierTime() {
        GroupId g = id(1);
        schedule.offer(g, T0.plusSeconds(5));
        schedule.offer(g, T0.plusSeconds(3600)); // e.g. a sweep that read the group before a change was proposed

        assertThat(schedule.dueAt(g)).contains(T0.plusSeconds(5));
        assertThat(schedule.takeDue(T0.plusSeconds(5))).containsExactly(g);
        assertThat(schedule.takeDue(T0.plusSeconds(7200))).as("taken once, not again").isEmpty();
    }

    @Test
    void offer_earlierThanScheduled_movesItUpOnce() {
        GroupId g = id(1);
        schedule.offer(g, T0.plusSeconds(3600));
        schedule.offer(g, T0);

        assertThat(schedule.takeDue(T0)).containsExactly(g);
        assertThat(schedule.takeDue(T0.plusSeconds(3600))).as("the stale later entry is dropped").isEmpty();
    }

    @Test
    void takeDue_manyGroupsManyOffers_eachDueGroupOnceInTimeOrder() {
        for (int i = 0; i < 1000; i++) {
            for (int k = 0; k < 3; k++) { // earlier and earlier: stale entries behind, compaction must keep order
                schedule.offer(id(i), T0.plusSeconds(1000 - i + 2 - k));
            }
        }
        assertThat(schedule.size()).isEqualTo(1000);
        var due = schedule.takeDue(T0.plusSeconds(500));
        assertThat(due).hasSize(500).doesNotHaveDuplicates();
        assertThat(due.getFirst()).isEqualTo(id(999));
        assertThat(due.getLast()).isEqualTo(id(500));
        assertThat(schedule.size()).isEqualTo(500);
        assertThat(schedule.takeDue(T0.plusSeconds(500))).as("the stale entries do not come out").isEmpty();
    }

    private static GroupId id(int n) {
        byte[] b = new byte[32];
        b[0] = (byte) (n >> 8);
        b[1] = (byte) n;
        return new GroupId(Bytes.wrap(b));
    }
}
