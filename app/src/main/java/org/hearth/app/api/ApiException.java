package org.hearth.app.api;

/** An error the local API returned, or a failure to reach it; the message is meant for the user. */
public class ApiException extends RuntimeException {
    private final int status;

    public ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
