package org.hearth.app;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.hearth.app.api.ApiClient;

/**
 * A Hearth node in its own OS process, started from the test's classpath exactly as `hearth run` would,
 * so that it can be killed with SIGKILL. Waits use the node's change long-poll, never a fixed sleep.
 */
final class NodeProcess implements AutoCloseable {
    static final String PASSPHRASE = "correct horse battery staple";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    final Path home;
    private Process process;
    private String endpoint;
    private ApiClient api;

    private NodeProcess(Path home) {
        this.home = home;
    }

    /** Runs `hearth init` in a child process and returns the printed address. */
    static String init(Path home, String name) throws Exception {
        Process p = command(List.of("init", "--home", home.toString(), "--name", name)).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("init failed: " + err);
        }
        return out;
    }

    static NodeProcess start(Path home, int port) throws Exception {
        NodeProcess n = new NodeProcess(home);
        n.launch(port);
        return n;
    }

    private void launch(int port) throws Exception {
        ProcessBuilder pb = command(List.of("run", "--home", home.toString(), "--listen", "127.0.0.1:" + port));
        pb.redirectError(ProcessBuilder.Redirect.appendTo(home.resolve("node.log").toFile()));
        process = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                return null;
            }
        });
        String first = line.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (first == null || !first.startsWith("listening ")) {
            throw new IllegalStateException("node did not start: " + first + "\n" + log());
        }
        endpoint = first.substring("listening ".length());
        api = ApiClient.forHome(home);
    }

    String endpoint() {
        return endpoint;
    }

    String address() {
        return endpoint.substring(0, endpoint.indexOf('@'));
    }

    int port() {
        return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
    }

    ApiClient api() {
        return api;
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed that was not already committed. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    void restart() throws Exception {
        launch(port());
    }

    List<JsonNode> messagesWith(String address) {
        List<JsonNode> out = new ArrayList<>();
        api.get("/v1/messages", Map.of("with", address)).forEach(out::add);
        return out;
    }

    List<JsonNode> contacts() {
        List<JsonNode> out = new ArrayList<>();
        api.get("/v1/contacts", Map.of("all", "true")).forEach(out::add);
        return out;
    }

    /** Waits, via the node's change notifications, until the predicate holds. */
    void await(String what, Predicate<NodeProcess> condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long version = api.get("/v1/changes", Map.of("after", "-1", "timeoutMs", "0")).path("version").asLong();
            if (condition.test(this)) {
                return;
            }
            long leftMs = (deadline - System.nanoTime()) / 1_000_000;
            if (leftMs <= 0) {
                throw new AssertionError("timed out waiting for: " + what + "\n" + log());
            }
            api.get("/v1/changes", Map.of("after", Long.toString(version), "timeoutMs",
                    Long.toString(Math.min(leftMs, 5_000))));
        }
    }

    String log() {
        try {
            return Files.readString(home.resolve("node.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    static ProcessBuilder command(List<String> args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                "org.hearth.app.Main"));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("HEARTH_PASSPHRASE", PASSPHRASE);
        return pb;
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
