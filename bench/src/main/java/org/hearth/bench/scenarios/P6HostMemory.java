package org.hearth.bench.scenarios;

import static org.hearth.bench.scenarios.Kit.*;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.ObjectName;
import org.hearth.core.group.GroupPolicy;
import org.hearth.core.group.Permission;
import org.hearth.core.identity.Endpoint;
import org.hearth.core.identity.Identity;
import org.hearth.node.Node;
import org.hearth.node.NodeConfig;
import org.hearth.node.group.GroupService;

/**
 * P6 host memory: a managed host with many groups of 100 members, idle after start-up. See docs/benchmarks.md.
 * Groups are created the way a UI creates a group with its members: {@link GroupService#create} with the initial
 * members (one first epoch, one transaction, an invite queued to each member), from a few threads at once.
 */
final class P6HostMemory implements Scenario {
    private static final int MEMBERS = 100;
    private static final int CREATORS = 4;

    @Override
    public String key() {
        return "p6";
    }

    @Override
    public String target() {
        return "heap <= 1024 MiB at 10,000 x 100";
    }

    @Override
    public boolean met(Map<String, Object> r) {
        return num(r, "heap_mb") <= 1024 && num(r, "groups") >= 10_000;
    }

    @Override
    public void run(Run run) throws Exception {
        int targetGroups = Integer.getInteger("hearth.p6.groups", run.quick() ? 1_000 : 10_000);
        Duration budget = run.quick() ? Duration.ofMinutes(3) : Duration.ofMinutes(20);
        Duration idle = run.quick() ? Duration.ofSeconds(10) : Duration.ofSeconds(30);
        Path home = run.work().resolve("p6-manager");
        // the 99 other members of every group: the same offline identities (they never come online, so every
        // invite stays queued in the manager's outbox: 99 per group)
        List<GroupService.InitialMember> others = new ArrayList<>();
        for (int i = 0; i < MEMBERS - 1; i++) {
            others.add(new GroupService.InitialMember(
                    new Endpoint(Identity.generate(RANDOM).address(), "127.0.0.1", 9), Permission.WRITE));
        }
        double baseline = heapAfterGcMb();
        Node mgr = startNode(home, "manager", NodeConfig.Roles.MEMBER);
        boolean[] mgrOpen = {true};
        AtomicInteger created = new AtomicInteger();
        long t0 = System.nanoTime();
        long deadline = t0 + budget.toNanos();
        try {
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < CREATORS; w++) {
                threads.add(Thread.ofVirtual().start(() -> {
                    while (System.nanoTime() < deadline) {
                        int n = created.getAndIncrement();
                        if (n >= targetGroups) {
                            created.decrementAndGet();
                            return;
                        }
                        // self-hosted: the manager is host and member (writer), so 1 + 99 members
                        mgr.groups().create("g" + n, List.of(mgr.endpoint()), true, GroupPolicy.DEFAULT, others);
                        if (n % 250 == 0) {
                            System.err.printf("\r  p6: %d groups created, %.0f s", n, seconds(t0));
                        }
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            int reached = created.get();
            double createS = seconds(t0);
            System.err.println();
            log(String.format("p6: created %d groups x %d members in %.0f s (%.1f groups/s)", reached, MEMBERS,
                    createS, reached / createS));
            double heapLoaded = heapAfterGcMb();
            mgr.close();
            mgrOpen[0] = false;
            long dbBytes = treeBytes(home);

            // the managed host restarts and sits idle
            long s0 = System.nanoTime();
            Node host = startNode(home, "manager", NodeConfig.Roles.MEMBER);
            double startS = seconds(s0);
            try {
                OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                Thread.sleep(5_000); // the first sweep after a start looks at every group once
                long cpu0 = os.getProcessCpuTime();
                long w0 = System.nanoTime();
                Thread.sleep(idle.toMillis());
                double idleCpuPct = 100.0 * (os.getProcessCpuTime() - cpu0) / (System.nanoTime() - w0);
                double heap = heapAfterGcMb();
                Map<String, Object> top = histogramTop(8);
                log(String.format("p6: idle heap after GC %.0f MiB; idle CPU %.1f %% of one core; top classes %s",
                        heap, idleCpuPct, top));
                run.put("groups", reached, "members", MEMBERS, "heap_mb", round(heap));
                run.detail("target_groups", targetGroups, "create_seconds", round(createS), "groups_per_s",
                        round3(reached / createS), "creator_threads", CREATORS, "restart_seconds", round3(startS),
                        "idle_seconds", idle.toSeconds(), "idle_cpu_pct_of_one_core", round3(idleCpuPct),
                        "store_mb", round(dbBytes / 1048576.0), "queued_invites", (long) reached * (MEMBERS - 1),
                        "heap_mb_before_node", round(baseline), "heap_mb_node_only", round(heap - baseline),
                        "heap_mb_after_setup_before_restart", round(heapLoaded),
                        "max_heap_mb", round(Runtime.getRuntime().maxMemory() / 1048576.0),
                        "histogram_top_mb", top);
            } finally {
                host.close();
            }
        } finally {
            if (mgrOpen[0]) {
                mgr.close();
            }
            deleteTree(home);
        }
    }

    static double heapAfterGcMb() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0;
    }

    /** What the heap holds: the live-object class histogram (as {@code jcmd PID GC.class_histogram}), top N by bytes. */
    static Map<String, Object> histogramTop(int n) {
        Map<String, Object> top = new LinkedHashMap<>();
        try {
            String h = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            String file = System.getProperty("hearth.p6.histogram");
            if (file != null) {
                Files.writeString(Path.of(file), h);
            }
            // "   1:  instances  bytes  class name (module)"
            for (String line : h.lines().toList()) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 4 && f[0].endsWith(":") && top.size() < n) {
                    top.put(f[3], round3(Long.parseLong(f[2]) / 1048576.0));
                } else if (f.length >= 3 && f[0].equals("Total")) {
                    top.put("Total", round3(Long.parseLong(f[2]) / 1048576.0));
                }
            }
        } catch (Exception e) {
            top.put("unavailable", e.toString());
        }
        return top;
    }

    private static long treeBytes(Path dir) {
        try (var s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
