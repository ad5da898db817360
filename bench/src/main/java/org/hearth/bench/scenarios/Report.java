package org.hearth.bench.scenarios;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The figures of one runner invocation, written as bench/results/latest.json and latest.md after each scenario. */
final class Report {
    final Map<String, Object> results = new LinkedHashMap<>();
    final Map<String, Map<String, Object>> details = new LinkedHashMap<>();
    private final boolean quick;
    private final List<Scenario> scenarios;

    Report(boolean quick, List<Scenario> scenarios) {
        this.quick = quick;
        this.scenarios = scenarios;
    }

    void write(Path out) throws IOException {
        Files.createDirectories(out);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("mode", quick ? "quick" : "full");
        root.put("written_at", Instant.now().toString());
        root.put("machine", Kit.machine());
        root.putAll(results);
        root.put("details", details);
        Files.writeString(out.resolve("latest.json"), Kit.json(root, "") + "\n");
        Files.writeString(out.resolve("latest.md"), markdown(root));
    }

    @SuppressWarnings("unchecked")
    private String markdown(Map<String, Object> root) {
        StringBuilder b = new StringBuilder("# Scenario benchmarks: latest run\n\n");
        b.append(quick ? "**QUICK MODE**: smaller sizes and fewer repetitions than the issue asks; not the targets' sizes.\n\n"
                : "Full mode (the issue's sizes, except where `details` says otherwise).\n\n");
        Map<String, Object> m = (Map<String, Object>) root.get("machine");
        b.append("Machine: ").append(m.get("cores")).append(" cores, ").append(m.get("cpu_model")).append(", JDK ")
                .append(m.get("jdk")).append(", ").append(m.get("os")).append(", load average at end ")
                .append(m.get("load_average_at_end")).append(", max heap ").append(m.get("max_heap_mb"))
                .append(" MiB. Written ").append(root.get("written_at")).append(".\n\n");
        b.append("| scenario | figures | target | met |\n|---|---|---|---|\n");
        for (Scenario s : scenarios) {
            String p = s.key();
            Object r = results.get(p);
            if (r == null) {
                b.append("| ").append(p.toUpperCase(Locale.ROOT)).append(" | not run | ").append(s.target())
                        .append(" | |\n");
                continue;
            }
            List<Map<String, Object>> rows = r instanceof List<?> l ? (List<Map<String, Object>>) l
                    : List.of((Map<String, Object>) r);
            for (Map<String, Object> row : rows) {
                StringBuilder f = new StringBuilder();
                row.forEach((k, v) -> f.append(f.isEmpty() ? "" : ", ").append('`').append(k).append("` ").append(v));
                b.append("| ").append(p.toUpperCase(Locale.ROOT)).append(" | ").append(f).append(" | ")
                        .append(s.target()).append(" | ")
                        .append(!s.judged(row) ? "n/a" : s.met(row) ? "yes" : "**no**").append(" |\n");
            }
        }
        b.append("\nDetails (runs behind the medians, sizes):\n\n");
        details.forEach((p, d) -> {
            b.append("* ").append(p.toUpperCase(Locale.ROOT)).append(": ");
            StringBuilder f = new StringBuilder();
            d.forEach((k, v) -> f.append(f.isEmpty() ? "" : ", ").append(k).append(' ').append(v));
            b.append(f).append('\n');
        });
        return b.toString();
    }
}
