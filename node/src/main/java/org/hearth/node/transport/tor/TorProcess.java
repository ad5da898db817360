package org.hearth.node.transport.tor;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.hearth.core.identity.HostPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tor process this node started and owns: its own DataDirectory (mode 0700), listeners on 127.0.0.1 chosen by
 * tor ({@code auto}), the control port written to a file, cookie authentication, and
 * {@code __OwningControllerProcess} so tor exits when this JVM dies. Its log goes to stdout, whose last lines
 * are kept for error messages.
 */
final class TorProcess implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(TorProcess.class);
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);
    private static final int KEPT_LINES = 40;
    /** Start-up warnings that are expected here and say nothing about a failure. */
    private static final List<String> NOISE = List.of("running Tor as root", "TestingTorNetwork is set",
            "DirAuthority or AlternateDirAuthority");

    private final Process process;
    private final HostPort control;
    private final Deque<String> lastLines;

    private TorProcess(Process process, HostPort control, Deque<String> lastLines) {
        this.process = process;
        this.control = control;
        this.lastLines = lastLines;
    }

    /** Starts tor with {@code dataDir} as its DataDirectory and waits until its control port is open. */
    static TorProcess start(Path tor, Path dataDir, List<String> extraLines) throws IOException {
        Files.createDirectories(dataDir);
        // tor refuses a DataDirectory others can read
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
        stopLeftover(dataDir.resolve("tor.pid"));
        Path portFile = dataDir.resolve("control-port");
        Files.deleteIfExists(portFile);
        Path torrc = dataDir.resolve("torrc");
        Files.write(torrc, torrc(dataDir, portFile, extraLines), StandardCharsets.UTF_8);
        Path defaults = dataDir.resolve("torrc-defaults");
        Files.write(defaults, new byte[0]);
        Process p = new ProcessBuilder(tor.toString(), "-f", torrc.toString(), "--defaults-torrc", defaults.toString())
                .redirectErrorStream(true).start();
        Deque<String> lines = new ArrayDeque<>();
        Thread logReader = Thread.ofVirtual().name("tor-log").start(() -> pump(p, lines));
        try {
            HostPort control = awaitControlPort(p, portFile, lines, logReader);
            return new TorProcess(p, control, lines);
        } catch (IOException | RuntimeException e) {
            stop(p);
            throw e;
        }
    }

    static List<String> torrc(Path dataDir, Path portFile, List<String> extraLines) {
        List<String> lines = new ArrayList<>(List.of(
                "DataDirectory " + KeyValues.quote(dataDir.toString()),
                "PidFile " + KeyValues.quote(dataDir.resolve("tor.pid").toString()),
                "SocksPort 127.0.0.1:auto ExtendedErrors",
                "ControlPort 127.0.0.1:auto",
                "ControlPortWriteToFile " + KeyValues.quote(portFile.toString()),
                "CookieAuthentication 1",
                "__OwningControllerProcess " + ProcessHandle.current().pid(),
                "ClientOnly 1",
                // skip the GeoIP databases: ~35 MB less memory and 1-3 s less start-up per tor
                "GeoIPFile /dev/null",
                "GeoIPv6File /dev/null",
                "Log notice stdout"));
        lines.addAll(extraLines);
        return lines;
    }

    HostPort controlPort() {
        return control;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** tor's last warning or error line, else its last line: what to show when tor fails. */
    String lastWords() {
        return last(lastLines);
    }

    @Override
    public void close() {
        stop(process);
    }

    private static void stop(Process p) {
        p.destroy(); // SIGTERM: a client tor exits at once
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static HostPort awaitControlPort(Process p, Path portFile, Deque<String> lines, Thread logReader)
            throws IOException {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                joinQuietly(logReader); // its last words are what the user needs
                throw new TorException("tor exited at start-up (code " + exitCode(p) + "): " + last(lines));
            }
            Optional<HostPort> hp = readPortFile(portFile);
            if (hp.isPresent()) {
                return hp.get();
            }
            try {
                Thread.sleep(50); // polling tor's start-up file, with a deadline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TorException("interrupted while tor was starting");
            }
        }
        throw new TorException("tor did not open its control port within " + STARTUP_TIMEOUT.toSeconds() + " s: "
                + last(lines));
    }

    /** ControlPortWriteToFile writes {@code PORT=127.0.0.1:NNNN}; tor writes it whole, but we may see it empty. */
    private static Optional<HostPort> readPortFile(Path portFile) throws IOException {
        if (!Files.exists(portFile)) {
            return Optional.empty();
        }
        for (String line : Files.readAllLines(portFile, StandardCharsets.US_ASCII)) {
            if (line.startsWith("PORT=")) {
                try {
                    return Optional.of(HostPort.parse(line.substring(5).strip()));
                } catch (org.hearth.core.identity.InvalidAddressException e) {
                    throw new TorException("tor wrote an unreadable control port file: " + line);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * A tor of this home that outlived its node (SIGKILL: tor notices its owner is gone only on its next check)
     * holds the DataDirectory lock; the home is ours (node.lock), so that tor is ours too.
     */
    private static void stopLeftover(Path pidFile) throws IOException {
        if (!Files.exists(pidFile)) {
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readString(pidFile).strip());
        } catch (NumberFormatException e) {
            return;
        }
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isPresent() && h.get().info().command().map(c -> c.endsWith("tor")).orElse(false)) {
            LOG.info("stopping a tor left over from this node's previous run");
            h.get().destroy();
            try {
                h.get().onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                h.get().destroyForcibly();
            }
        }
    }

    private static void pump(Process p, Deque<String> lines) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                LOG.trace("tor: {}", line);
                synchronized (lines) {
                    lines.addLast(line);
                    if (lines.size() > KEPT_LINES) {
                        lines.removeFirst();
                    }
                }
            }
        } catch (IOException e) {
            LOG.debug("tor output ended: {}", e.getMessage());
        }
    }

    /** The last two warning or error lines (an error often says "see warnings above"), else the last line. */
    private static String last(Deque<String> lines) {
        synchronized (lines) {
            List<String> said = new ArrayList<>();
            for (var it = lines.descendingIterator(); it.hasNext() && said.size() < 2;) {
                String l = it.next();
                if ((l.contains("[warn]") || l.contains("[err]")) && NOISE.stream().noneMatch(l::contains)) {
                    said.add(0, l.substring(Math.max(0, l.indexOf('[')))); // without tor's timestamp
                }
            }
            if (!said.isEmpty()) {
                return String.join(" / ", said);
            }
            return lines.isEmpty() ? "(no output)" : lines.getLast();
        }
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int exitCode(Process p) {
        try {
            return p.exitValue();
        } catch (IllegalThreadStateException e) {
            return -1;
        }
    }
}
