package org.hearth.app.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code hearth} in a child JVM, started from the test classpath as the launcher would, with a passphrase of
 * the test's choosing in {@code HEARTH_PASSPHRASE} (or none at all). Stdin is empty, as under a script.
 */
final class HearthProcess implements AutoCloseable {
    static final String PASSPHRASE = "cli test passphrase";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final BufferedReader out;
    private final CompletableFuture<String> err;

    private HearthProcess(Process process) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.err = readAll(process.getErrorStream());
    }

    record Result(int exit, String out, String err) {
        List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    /**
     * Runs a command to completion. {@code passphrase} null means {@code HEARTH_PASSPHRASE} is not set.
     * Fails the test if the command is still running after a minute.
     */
    static Result run(String passphrase, String... args) throws Exception {
        try (HearthProcess p = start(passphrase, args)) {
            CompletableFuture<String> stdout = readAll(p.process.getInputStream());
            if (!p.process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.process.destroyForcibly().waitFor();
                throw new AssertionError("hearth " + String.join(" ", args) + " still running after " + TIMEOUT
                        + "\nstdout: " + stdout.getNow("") + "\nstderr: " + p.err.getNow(""));
            }
            return new Result(p.process.exitValue(), stdout.get(10, TimeUnit.SECONDS), p.err.get(10, TimeUnit.SECONDS));
        }
    }

    static HearthProcess start(String passphrase, String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        // the same JVM flags as the `hearth` launcher (without the flag the JDK warns on stderr when
        // the SQLite driver loads its native library)
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "org.hearth.app.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().remove("HEARTH_PASSPHRASE");
        if (passphrase != null) {
            pb.environment().put("HEARTH_PASSPHRASE", passphrase);
        }
        return new HearthProcess(pb.start());
    }

    /** The next line of stdout, waiting at most a minute. */
    String readLine() throws Exception {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, HearthProcess::virtual);
        try {
            return line.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("no output within " + TIMEOUT + "; stderr so far: " + err.getNow(""));
        }
    }

    /** SIGTERM, as Ctrl-C or a service manager would send; waits for the exit (shutdown hooks included). */
    int terminate() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("did not stop on SIGTERM within " + TIMEOUT);
        }
        return process.exitValue();
    }

    /** Waits (at most a minute) for the process to exit by itself. */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("still running after " + TIMEOUT);
        }
        return process.exitValue();
    }

    String stderr() throws Exception {
        return err.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    private static CompletableFuture<String> readAll(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        }, HearthProcess::virtual);
    }

    private static void virtual(Runnable r) {
        Thread.ofVirtual().name("hearth-process-reader").start(r);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                process.destroyForcibly().waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
