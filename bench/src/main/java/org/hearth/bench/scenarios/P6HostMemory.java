package org.hearth.bench.scenarios;

import static org.hearth.bench.scenarios.Kit.*;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.hearth.core.group.GroupId;
import org.hearth.core.group.GroupPolicy;
import org.hearth.core.group.KeyCatchup;
import org.hearth.core.group.Permission;
import org.hearth.core.identity.Endpoint;
import org.hearth.core.identity.Identity;
import org.hearth.node.Node;
import org.hearth.node.NodeConfig;

/** P6 host memory: a managed host with many groups of 100 members, idle after start-up. See docs/benchmarks.md. */
final class P6HostMemory implements Scenario {
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
        int targetGroups = run.quick() ? 1_000 : 10_000;
        int members = 100;
        Duration budget = run.quick() ? Duration.ofSeconds(90) : Duration.ofMinutes(10);
        Path home = run.work().resolve("p6-manager");
        // 99 other members per group (the same 99 identities in every group; they never come online)
        List<Endpoint> others = new ArrayList<>();
        for (int i = 0; i < members - 1; i++) {
            others.add(new Endpoint(Identity.generate(RANDOM).address(), "127.0.0.1", 9));
        }
        // changes made within 2 s of the group's first epoch go out together in its second epoch
        GroupPolicy policy = new GroupPolicy(Duration.ZERO, 0, Duration.ofSeconds(2), KeyCatchup.SINCE_JOIN,
                Duration.ofDays(7));
        double baseline = heapAfterGcMb();
        Node mgr = startNode(home, "manager", NodeConfig.Roles.MEMBER);
        boolean[] mgrOpen = {true};
        AtomicInteger created = new AtomicInteger();
        long t0 = System.nanoTime();
        long deadline = t0 + budget.toNanos();
        List<Thread> threads = new ArrayList<>();
        int workers = 4;
        try {
            for (int w = 0; w < workers; w++) {
                threads.add(Thread.ofVirtual().start(() -> {
                    while (System.nanoTime() < deadline) {
                        int n = created.getAndIncrement();
                        if (n >= targetGroups) {
                            created.decrementAndGet();
                            return;
                        }
                        GroupId g = mgr.groups().create("g" + n, List.of(mgr.endpoint()), true, policy);
                        for (Endpoint e : others) {
                            mgr.groups().add(g, e, Permission.WRITE);
                        }
                        if (n % 50 == 0) {
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
            log(String.format("p6: created %d groups x %d members in %.0f s", reached, members, createS));
            // wait until every group's additions went out in an epoch (the manager's sweep issues them)
            long w0 = System.nanoTime();
            boolean allIssued = mgr.changes().awaitCondition(
                    () -> mgr.groups().groups().stream().allMatch(r -> r.pending().isEmpty()), Duration.ofMinutes(5));
            log(String.format("p6: pending changes issued: %s after %.0f s", allIssued, seconds(w0)));
            mgr.close();
            mgrOpen[0] = false;
            // the managed host restarts and sits idle
            Node idle = startNode(home, "manager", NodeConfig.Roles.MEMBER);
            try {
                int listed = idle.groups().groups().size();
                Thread.sleep(run.quick() ? 5_000 : 15_000);
                double heap = heapAfterGcMb();
                run.put("groups", reached, "members", members, "heap_mb", round(heap));
                run.detail("target_groups", targetGroups, "groups_after_restart", listed, "create_seconds",
                        round(createS), "all_changes_issued", allIssued, "heap_mb_before_node", round(baseline),
                        "heap_mb_node_only", round(heap - baseline), "max_heap_mb",
                        round(Runtime.getRuntime().maxMemory() / 1048576.0));
            } finally {
                idle.close();
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
}
