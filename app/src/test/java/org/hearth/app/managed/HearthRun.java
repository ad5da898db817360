package org.hearth.app.managed;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.hearth.app.api.ApiClient;
import org.hearth.core.identity.Endpoint;

/**
 * `hearth run` in its own OS process, from the test's classpath (as org.hearth.app.NodeProcess does), so that
 * it can be killed with SIGKILL and started again on the same port.
 */
final class HearthRun implements AutoCloseable {
    static final String PASSPHRASE = "managed kill test passphrase";
    private static final int START_TIMEOUT_S = 60;

    private final Path home;
    private Process process;
    private Endpoint endpoint;
    private ApiClient api;

    private HearthRun(Path home) {
        this.home = home;
    }

    static HearthRun start(Path home, int port) throws Exception {
        HearthRun r = new HearthRun(home);
        r.launch(port);
        return r;
    }

    private void launch(int port) throws Exception {
        ProcessBuilder pb = command(List.of("run", "--home", home.toString(), "--listen", "127.0.0.1:" + port));
        pb.redirectError(ProcessBuilder.Redirect.appendTo(home.resolve("node.log").toFile()));
        process = pb.start();
        BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String first = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                return null;
            }
        }).get(START_TIMEOUT_S, TimeUnit.SECONDS);
        if (first == null || !first.startsWith("listening ")) {
            throw new IllegalStateException("node did not start: " + first + "\n" + log());
        }
        endpoint = Endpoint.parse(first.substring("listening ".length()));
        api = ApiClient.forHome(home);
    }

    Endpoint endpoint() {
        return endpoint;
    }

    ApiClient api() {
        return api;
    }

    /** SIGKILL: nothing runs on the way out; only what was committed survives. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    void restart() throws Exception {
        launch(endpoint.port());
    }

    String log() {
        try {
            return Files.readString(home.resolve("node.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static ProcessBuilder command(List<String> args) {
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
