package org.hearth.node.store;

/** The store failed (I/O, constraint, corrupt file). Unchecked: callers rarely can do more than report it. */
public class StoreException extends RuntimeException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
