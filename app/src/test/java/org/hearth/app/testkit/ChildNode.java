package org.hearth.app.testkit;

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
import org.hearth.core.crypto.PassphraseKdf;
import org.hearth.core.crypto.RandomSource;
import org.hearth.node.NodeHome;

/**
 * A Hearth node in its own OS process, started from the test's classpath exactly as {@code hearth run} or
 * {@code hearth host} would, so that it can be killed with SIGKILL and started again on the same port. A
 * two-phase start ({@link #launch}, then {@link #awaitListening}) lets several nodes boot at once. Waits use the
 * node's change long-poll, never a fixed sleep. The one child-process launcher of the app tests.
 */
public final class ChildNode implements AutoCloseable {
    public static final String PASSPHRASE = "correct horse battery staple";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    /** What the process runs: {@code hearth run} (chat and groups) or {@code hearth host}. */
    public enum Mode { RUN, HOST }

    public final String name;
    public final Path home;
    private final Mode mode;
    private Process process;
    private CompletableFuture<String> firstLine;
    private String endpoint;
    private ApiClient api;

    private ChildNode(String name, Path home, Mode mode) {
        this.name = name;
        this.home = home;
        this.mode = mode;
    }

    /**
     * Creates the node's store in this JVM (saves a child JVM per node) with the fast Argon2 parameters; they
     * are recorded in the store's key file, so the child process opens it with them.
     */
    public static void init(Path home, String name) throws Exception {
        NodeHome.init(home, PASSPHRASE.toCharArray(), name, RandomSource.secure(), PassphraseKdf.FAST);
    }

    /** Launches the process; {@link #awaitListening()} waits for it. */
    public static ChildNode launch(String name, Path home, Mode mode) throws IOException {
        ChildNode p = new ChildNode(name, home, mode);
        p.launch(0);
        return p;
    }

    /** {@code hearth run} on a home {@link #init} made, started and listening. */
    public static ChildNode start(String name, Path home) throws Exception {
        return launch(name, home, Mode.RUN).awaitListening();
    }

    /** Runs {@code hearth init} itself in a child process (the real command); returns what it printed. */
    public static String initByCli(Path home, String name) throws Exception {
        Process p = command(List.of("init", "--home", home.toString(), "--name", name)).start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                return "";
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("init failed: " + err.get(10, TimeUnit.SECONDS));
        }
        return out;
    }

    private void launch(int port) throws IOException {
        ProcessBuilder pb = command(List.of(mode == Mode.HOST ? "host" : "run", "--home", home.toString(),
                "--listen", "127.0.0.1:" + port));
        pb.redirectError(ProcessBuilder.Redirect.appendTo(home.resolve("node.log").toFile()));
        process = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        firstLine = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                return null;
            }
        });
    }

    public ChildNode awaitListening() throws Exception {
        String first = firstLine.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (first == null || !first.startsWith("listening ")) {
            throw new IllegalStateException(name + " did not start: " + first + "\n" + log());
        }
        endpoint = first.substring("listening ".length());
        api = ApiClient.forHome(home);
        return this;
    }

    public String endpoint() {
        return endpoint;
    }

    public String address() {
        return endpoint.substring(0, endpoint.indexOf('@'));
    }

    public int port() {
        return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
    }

    public ApiClient api() {
        return api;
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed that was not already committed. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** Starts the node again on the same port (peers remember it there). */
    public void restart() throws Exception {
        launch(port());
        awaitListening();
    }

    /** Waits, via the node's change notifications, until the predicate holds. */
    public void await(String what, Predicate<ChildNode> condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long version = api.get("/v1/changes", Map.of("after", "-1", "timeoutMs", "0")).path("version").asLong();
            if (condition.test(this)) {
                return;
            }
            long leftMs = (deadline - System.nanoTime()) / 1_000_000;
            if (leftMs <= 0) {
                throw new AssertionError(name + " timed out waiting for: " + what + "\n--- " + name + "'s log ---\n"
                        + tail(log(), 60));
            }
            api.get("/v1/changes", Map.of("after", Long.toString(version), "timeoutMs",
                    Long.toString(Math.min(leftMs, 5_000))));
        }
    }

    public String log() {
        try {
            return Files.readString(home.resolve("node.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    private static ProcessBuilder command(List<String> args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        // the launcher's flags, and the serial collector: five small nodes need no parallel GC threads each
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), "org.hearth.app.Main"));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("HEARTH_PASSPHRASE", PASSPHRASE);
        pb.environment().put("HEARTH_LOG_LEVEL", "DEBUG"); // addresses are scrubbed at DEBUG; helps read a failure
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

    @Override
    public String toString() {
        return name;
    }

    /** This node's messages with a contact, oldest first. */
    public List<JsonNode> messagesWith(String address) {
        return list(api.get("/v1/messages", Map.of("with", address)));
    }

    /** Every contact, hidden ones included. */
    public List<JsonNode> contacts() {
        return list(api.get("/v1/contacts", Map.of("all", "true")));
    }

    /** A JSON array as a list. */
    public static List<JsonNode> list(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }
}
