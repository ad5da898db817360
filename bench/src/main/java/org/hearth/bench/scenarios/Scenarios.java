package org.hearth.bench.scenarios;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The scenario benchmarks of issue 7 (see docs/benchmarks.md): real nodes, real stores, real loopback channels.
 * Writes bench/results/latest.json and latest.md after each scenario, so a partial run still leaves its figures.
 *
 * <pre>java -cp hearth-bench.jar org.hearth.bench.scenarios.Scenarios [--quick] [--only p1,p2,p3,p4,p6] [--out DIR]</pre>
 */
public final class Scenarios {
    private static final List<Scenario> ALL = List.of(new P1Rekey(), new P2Ingest(), new P3CatchUp(), new P4SyncCost(),
            new P6HostMemory());

    private Scenarios() {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        List<String> only = ALL.stream().map(Scenario::key).toList();
        Path out = Path.of("bench/results");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--only" -> only = List.of(args[++i].toLowerCase(Locale.ROOT).split(","));
                case "--out" -> out = Path.of(args[++i]);
                default -> usage("unknown argument " + args[i]);
            }
        }
        List<Scenario> chosen = new ArrayList<>();
        for (String key : only) {
            chosen.add(ALL.stream().filter(s -> s.key().equals(key)).findFirst()
                    .orElseGet(() -> usage("unknown scenario " + key)));
        }
        Path work = Files.createTempDirectory("hearth-scenarios");
        Report report = new Report(quick, ALL);
        try {
            for (Scenario s : chosen) {
                Kit.log("=== " + s.key() + (quick ? " (quick)" : "") + " ===");
                long t0 = System.nanoTime();
                s.run(new Scenario.Run(quick, work, s.key(), report));
                Kit.log(s.key() + " took " + (System.nanoTime() - t0) / 1_000_000_000 + " s: "
                        + report.results.get(s.key()));
                report.write(out);
            }
        } finally {
            Kit.deleteTree(work);
        }
        System.exit(0);
    }

    private static <T> T usage(String problem) {
        String keys = String.join(",", ALL.stream().map(Scenario::key).toList());
        System.err.println(problem + " (usage: [--quick] [--only " + keys + "] [--out DIR])");
        System.exit(2);
        return null;
    }
}
