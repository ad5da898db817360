package org.hearth.node.transport.tor;

import java.util.Map;

/**
 * One bootstrap step as tor reports it ({@code GETINFO status/bootstrap-phase} or a {@code STATUS_CLIENT}
 * event): {@code PROGRESS=45 TAG=loading_descriptors SUMMARY="Loading relay descriptors"}.
 */
public record BootstrapStatus(int percent, String tag, String summary, String warning) {

    public boolean done() {
        return percent >= 100;
    }

    /** Parses the keywords after {@code NOTICE BOOTSTRAP} / {@code WARN BOOTSTRAP}; null if it is not one. */
    static BootstrapStatus parse(String line) {
        int at = line.indexOf("BOOTSTRAP ");
        if (at < 0) {
            return null;
        }
        Map<String, String> kv = KeyValues.parse(line.substring(at + "BOOTSTRAP ".length()));
        int percent;
        try {
            percent = Integer.parseInt(kv.getOrDefault("PROGRESS", ""));
        } catch (NumberFormatException e) {
            return null;
        }
        String warning = kv.containsKey("WARNING")
                ? kv.get("WARNING") + (kv.containsKey("REASON") ? " (" + kv.get("REASON") + ")" : "") : "";
        return new BootstrapStatus(percent, kv.getOrDefault("TAG", ""), kv.getOrDefault("SUMMARY", ""), warning);
    }

    @Override
    public String toString() {
        return "bootstrapped " + percent + "%: " + summary + (warning.isEmpty() ? "" : " [" + warning + "]");
    }
}
