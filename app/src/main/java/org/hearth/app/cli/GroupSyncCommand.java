package org.hearth.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Console;
import java.time.Duration;
import java.util.Map;
import org.hearth.app.api.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code hearth group sync GROUP [--wait]}: how far the node has read the group at its hosts; with {@code --wait},
 * follows a catch-up to its end with a progress bar on stderr.
 */
@Command(name = "sync", description = "How far this node has read the group at its hosts; --wait follows a "
        + "catch-up until every host is caught up, with a progress bar on stderr.")
final class GroupSyncCommand extends GroupCommands.GroupCommand {
    static final Duration POLL = Duration.ofMillis(250);

    @Option(names = "--wait", description = "wait until every host is caught up (exit 0), printing progress")
    boolean wait;
    @Option(names = "--progress", paramLabel = "auto|bar|lines|none", defaultValue = "auto",
            description = "with --wait, on stderr: auto (a bar when the console is a terminal, else lines), bar,"
                    + " lines (one plain line every 5 s) or none; default ${DEFAULT-VALUE}")
    String progress;
    @Option(names = "--timeout", paramLabel = "DURATION",
            description = "with --wait, give up (exit 1) if not caught up after DURATION (e.g. 90s, 10m)")
    String timeout;
    @Option(names = "--json", description = "print the final progress as JSON")
    boolean json;

    @Override
    public Integer call() throws InterruptedException {
        SyncDisplay.Mode mode = mode();
        Duration limit = timeout == null ? null : parseTimeout();
        if (!wait) {
            return show(api().get(path("sync"), Map.of()), json, r -> out().println(summary(r)));
        }
        SyncDisplay display = new SyncDisplay(mode, spec.commandLine().getErr(), columns());
        long start = System.nanoTime();
        while (true) {
            JsonNode r = api().get(path("sync"), Map.of());
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            if (r.path("caughtUp").asBoolean()) {
                display.finish(r, elapsed);
                return show(r, json, x -> out().println(summary(x) + " in " + SyncDisplay.clock(elapsed)));
            }
            if (limit != null && elapsed.compareTo(limit) >= 0) {
                display.finish(r, elapsed);
                spec.commandLine().getErr().println("not caught up after " + Durations.format(limit) + ": "
                        + SyncDisplay.text(SyncDisplay.Summary.of(r), elapsed));
                return 1;
            }
            display.update(r, elapsed);
            Thread.sleep(POLL.toMillis()); // the node keeps the progress in memory: a poll costs next to nothing
        }
    }

    /** One line: caught up or not, what was stored, and any host in trouble. */
    static String summary(JsonNode r) {
        SyncDisplay.Summary s = SyncDisplay.Summary.of(r);
        int hosts = r.path("hosts").size();
        if (hosts == 0) {
            return "not reading this group yet (accept the invite first)";
        }
        String head = r.path("caughtUp").asBoolean() ? "caught up" : SyncDisplay.text(s, null);
        return head + (r.path("caughtUp").asBoolean() ? ": " + SyncDisplay.count(s.stored()) + " new message"
                + (s.stored() == 1 ? "" : "s") + " from " + hosts + " host" + (hosts == 1 ? "" : "s") : "");
    }

    private SyncDisplay.Mode mode() {
        return switch (progress) {
            case "auto" -> consoleIsTerminal() ? SyncDisplay.Mode.BAR : SyncDisplay.Mode.LINES;
            case "bar" -> SyncDisplay.Mode.BAR;
            case "lines" -> SyncDisplay.Mode.LINES;
            case "none" -> SyncDisplay.Mode.NONE;
            default -> throw new ParameterException(spec.commandLine(), "--progress is auto, bar, lines or none");
        };
    }

    private Duration parseTimeout() {
        try {
            return Durations.parse(timeout);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--timeout: " + e.getMessage());
        }
    }

    /** The terminal's width when the shell exports it, else 80. */
    private static int columns() {
        try {
            return Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "80").trim());
        } catch (NumberFormatException e) {
            return 80;
        }
    }

    /**
     * Whether the console is an interactive terminal. Java 22 and later return a console even when the streams
     * are redirected and tell with {@code Console.isTerminal()}; on 21 a console exists only for a terminal.
     */
    static boolean consoleIsTerminal() {
        Console c = System.console();
        if (c == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(c);
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }
}
