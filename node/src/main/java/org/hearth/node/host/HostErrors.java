package org.hearth.node.host;

import org.hearth.core.wire.proto.HostError;
import org.hearth.core.wire.proto.HostError.Code;

/** The host's refusals, built in one place so codes and wording stay consistent. */
public final class HostErrors {
    private HostErrors() {
    }

    public static HostError of(Code code, String message) {
        return HostError.newBuilder().setCode(code).setMessage(message).build();
    }

    static HostError malformed(String message) {
        return of(Code.MALFORMED, message);
    }

    static HostError tooLarge(String message) {
        return of(Code.TOO_LARGE, message);
    }

    static HostError rateLimited() {
        return of(Code.RATE_LIMITED, "too many requests, slow down");
    }

    static HostError quotaExceeded() {
        return of(Code.QUOTA_EXCEEDED, "host storage is full");
    }

    /**
     * Not stored, for a reason of the host's own (store failure, shutting down); worth retrying later.
     * HostError has no code for this yet, so it goes out as CODE_UNSPECIFIED.
     */
    static HostError unavailable(String message) {
        return of(Code.CODE_UNSPECIFIED, message);
    }
}
