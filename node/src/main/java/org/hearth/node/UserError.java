package org.hearth.node;

/** A request the node refuses for a reason the user can act on; the message is shown as is. */
public class UserError extends RuntimeException {
    public enum Kind { INVALID, NOT_FOUND, CONFLICT }

    private final Kind kind;

    public UserError(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
