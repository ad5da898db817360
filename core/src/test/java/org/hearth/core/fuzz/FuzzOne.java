package org.hearth.core.fuzz;

import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.util.Arrays;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.junit.platform.engine.discovery.DiscoverySelectors;

/**
 * Runs one Jazzer {@code @FuzzTest} method in this JVM: {@code java -cp TEST-CLASSPATH org.hearth.core.fuzz.FuzzOne
 * some.Class#method}. Jazzer fuzzes only one target per JVM, so {@code ./hearth fuzz} starts one of these per
 * target with {@code JAZZER_FUZZ=1} and a duration (docs/reliability.md, R2). Exit status 0 when the target ran and
 * found nothing, 1 on a finding, 2 on bad usage.
 */
public final class FuzzOne {
    private FuzzOne() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1 || !args[0].contains("#")) {
            System.err.println("usage: FuzzOne some.TestClass#fuzzMethod");
            System.exit(2);
        }
        String[] parts = args[0].split("#", 2);
        Class<?> type = Class.forName(parts[0]);
        Method method = Arrays.stream(type.getDeclaredMethods()).filter(m -> m.getName().equals(parts[1]))
                .findFirst().orElse(null);
        if (method == null) {
            System.err.println("no method " + parts[1] + " in " + parts[0]);
            System.exit(2);
        }
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(DiscoverySelectors.selectMethod(type, method)).build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(request, listener);
        TestExecutionSummary summary = listener.getSummary();
        PrintWriter out = new PrintWriter(System.err, true);
        summary.printFailuresTo(out, 30);
        boolean ran = summary.getTestsStartedCount() > 0;
        boolean clean = summary.getTotalFailureCount() == 0;
        System.err.printf("%s: %d started, %d succeeded, %d failed%n", args[0], summary.getTestsStartedCount(),
                summary.getTestsSucceededCount(), summary.getTotalFailureCount());
        System.exit(ran && clean ? 0 : 1);
    }
}
