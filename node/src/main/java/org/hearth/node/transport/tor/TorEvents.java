package org.hearth.node.transport.tor;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the transport learns from tor's asynchronous events: bootstrap steps ({@code STATUS_CLIENT}), onion
 * descriptor uploads and failures ({@code HS_DESC}) and tor's warnings ({@code WARN}), with waits on them.
 */
final class TorEvents {
    private long bootstrapEvents;
    private final Map<String, Long> uploads = new HashMap<>();
    private final Map<String, String> uploadFailures = new HashMap<>();
    private String lastWarning;

    TorEvents(TorControl control) throws IOException {
        control.addListener(this::onEvent);
        control.checked("SETEVENTS STATUS_CLIENT HS_DESC WARN", "SETEVENTS");
    }

    synchronized void onEvent(String event) {
        String[] w = event.split(" ", 6);
        switch (w[0]) {
            case "STATUS_CLIENT" -> {
                if (event.contains(" BOOTSTRAP ")) {
                    bootstrapEvents++;
                }
            }
            case "WARN" -> lastWarning = event.substring(Math.min(event.length(), 5));
            case "HS_DESC" -> {
                // HS_DESC UPLOADED|FAILED <service id> <auth> <hsdir> ... [REASON=...]
                if (w.length > 2 && w[1].equals("UPLOADED")) {
                    uploads.merge(w[2], 1L, Long::sum);
                } else if (w.length > 2 && w[1].equals("FAILED")) {
                    String reason = KeyValues.parse(event).getOrDefault("REASON", "unknown reason");
                    uploadFailures.put(w[2], reason);
                }
            }
            default -> {
                // not subscribed
            }
        }
        notifyAll();
    }

    synchronized long bootstrapEvents() {
        return bootstrapEvents;
    }

    /** Waits until a bootstrap event after {@code seen} arrives, or for at most {@code max}. */
    synchronized void awaitBootstrapEvent(long seen, Duration max) throws TorException {
        long deadline = System.nanoTime() + max.toNanos();
        try {
            while (bootstrapEvents == seen) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                wait(Math.max(1, left / 1_000_000));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TorException("interrupted while tor was bootstrapping");
        }
    }

    synchronized long uploads(String serviceId) {
        return uploads.getOrDefault(serviceId, 0L);
    }

    /** Waits for an upload of the service's descriptor after {@code seen}; false on timeout. */
    synchronized boolean awaitUpload(String serviceId, long seen, Duration timeout) throws TorException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (uploads(serviceId) <= seen) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                wait(Math.max(1, left / 1_000_000));
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TorException("interrupted while publishing the onion service");
        }
    }

    synchronized String uploadFailure(String serviceId) {
        String r = uploadFailures.get(serviceId);
        return r == null ? "" : " (last upload failed: " + r + ")";
    }

    synchronized Optional<String> lastWarning() {
        return Optional.ofNullable(lastWarning);
    }
}
