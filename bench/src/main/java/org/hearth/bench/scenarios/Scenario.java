package org.hearth.bench.scenarios;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** One scenario benchmark of issue 7: its JSON key, its target and how to run it. */
interface Scenario {
    /** The key of its figures in latest.json ("p2"). */
    String key();

    /** The target, as the table in latest.md states it. */
    String target();

    /** Whether one result object (for P1: one row, the one the target names) meets the target. */
    boolean met(Map<String, Object> result);

    /** Whether the target speaks about this row at all (P1 judges only its N = 1000 row); "n/a" when not. */
    default boolean judged(Map<String, Object> result) {
        return true;
    }

    void run(Run run) throws Exception;

    /** What a scenario gets from the runner: the mode, a scratch directory and where its figures go. */
    record Run(boolean quick, Path work, String key, Report report) {
        /** The scenario's figures: one object (P2 to P6). */
        void put(Object... kv) {
            report.results.put(key, Kit.map(kv));
        }

        /** The scenario's figures: one object per size (P1). */
        void putRows(List<Map<String, Object>> rows) {
            report.results.put(key, List.copyOf(rows));
        }

        /** Sizes and the runs behind the medians. */
        void detail(Object... kv) {
            report.details.put(key, Kit.map(kv));
        }
    }
}
