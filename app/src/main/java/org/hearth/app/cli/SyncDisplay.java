package org.hearth.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * Renders a group's catch-up progress ({@code GET /v1/groups/ID/sync}) on stderr: a bar redrawn in place for a
 * terminal, a plain line every few seconds for logs and pipes, or nothing.
 */
final class SyncDisplay {
    enum Mode {
        BAR, LINES, NONE
    }

    static final int BAR_WIDTH = 30;
    static final Duration LINE_EVERY = Duration.ofSeconds(5);

    private final Mode mode;
    private final PrintWriter err;
    private final int columns;
    private Duration lastLine;
    private int lastWidth;

    SyncDisplay(Mode mode, PrintWriter err, int columns) {
        this.mode = mode;
        this.err = err;
        this.columns = Math.max(40, columns);
    }

    /** The progress of every host summed up: what a person waiting for the catch-up wants to see. */
    record Summary(long stored, long perSecond, Double fraction, Long remaining, String trouble) {
        static Summary of(JsonNode sync) {
            long stored = 0;
            long perSecond = 0;
            Double fraction = null;
            Long remaining = null;
            String trouble = "";
            boolean unknown = false;
            for (JsonNode h : sync.path("hosts")) {
                stored += h.path("stored").asLong();
                perSecond += h.path("perSecond").asLong();
                // the slowest host decides when everything is in; a host that does not tell its position hides it
                if (h.path("fraction").isNumber()) {
                    double f = h.path("fraction").asDouble();
                    fraction = fraction == null ? f : Math.min(fraction, f);
                } else {
                    unknown = true;
                }
                if (h.path("remaining").isNumber()) {
                    long r = h.path("remaining").asLong();
                    remaining = remaining == null ? r : Math.max(remaining, r);
                }
                String state = h.path("state").asText("");
                if (state.equals("unreachable") || state.equals("refused")) {
                    String problem = h.path("problem").asText("");
                    trouble = "host " + h.path("host").asText("").substring(0, Math.min(8, h.path("host").asText("")
                            .length())) + "… " + state + (problem.isEmpty() ? "" : ": " + problem);
                }
            }
            return new Summary(stored, perSecond, unknown ? null : fraction, remaining, trouble);
        }
    }

    /** Shows the latest progress; {@code elapsed} since the command started. */
    void update(JsonNode sync, Duration elapsed) {
        switch (mode) {
            case BAR -> {
                String line = bar(Summary.of(sync), elapsed);
                // pad over the previous line, which may have been longer
                err.print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
                lastWidth = line.length();
                err.flush();
            }
            case LINES -> {
                if (lastLine == null || elapsed.minus(lastLine).compareTo(LINE_EVERY) >= 0) {
                    err.println(text(Summary.of(sync), elapsed));
                    err.flush();
                    lastLine = elapsed;
                }
            }
            case NONE -> { }
        }
    }

    /** Leaves the last state on screen and ends the line. */
    void finish(JsonNode sync, Duration elapsed) {
        switch (mode) {
            case BAR -> {
                update(sync, elapsed);
                err.println();
            }
            case LINES -> err.println(text(Summary.of(sync), elapsed));
            case NONE -> { }
        }
        err.flush();
    }

    /** {@code [#########.....]  42%  12,345 stored  ~17,000 left  2,950/s  ETA 0:06}, cut to the terminal's width. */
    String bar(Summary s, Duration elapsed) {
        StringBuilder b = new StringBuilder();
        if (s.fraction() != null) {
            int filled = (int) Math.round(s.fraction() * BAR_WIDTH);
            b.append('[').append("#".repeat(filled)).append(".".repeat(BAR_WIDTH - filled)).append("] ")
                    .append(String.format(Locale.ROOT, "%3d%%", (int) Math.floor(s.fraction() * 100)));
        } else {
            b.append("catching up");
        }
        b.append("  ").append(details(s, elapsed));
        String line = b.toString();
        return line.length() < columns ? line : line.substring(0, columns - 1);
    }

    /** {@code catch-up: 42%, 12,345 stored, ~17,000 left, 2,950/s, ETA 0:06, 0:04}: one plain line; no time if null. */
    static String text(Summary s, Duration elapsed) {
        String pct = s.fraction() == null ? "" : (int) Math.floor(s.fraction() * 100) + "%, ";
        return "catch-up: " + pct + details(s, elapsed).replace("  ", ", ");
    }

    private static String details(Summary s, Duration elapsed) {
        StringBuilder b = new StringBuilder(count(s.stored())).append(" stored");
        if (s.remaining() != null && s.remaining() > 0) {
            b.append("  ~").append(count(s.remaining())).append(" left");
        }
        if (s.perSecond() > 0) {
            b.append("  ").append(count(s.perSecond())).append("/s");
            if (s.remaining() != null && s.remaining() > 0) {
                b.append("  ETA ").append(clock(Duration.ofSeconds(Math.ceilDiv(s.remaining(), s.perSecond()))));
            }
        }
        if (elapsed != null) {
            b.append("  ").append(clock(elapsed));
        }
        if (!s.trouble().isEmpty()) {
            b.append("  (").append(s.trouble()).append(')');
        }
        return b.toString();
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** 0:06, 12:34, 1:02:03. */
    static String clock(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
