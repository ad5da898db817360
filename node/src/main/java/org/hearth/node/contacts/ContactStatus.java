package org.hearth.node.contacts;

/** A contact's lifecycle: a request goes out or comes in, and is accepted by the side that received it. */
public enum ContactStatus {
    /** We sent a request; they have not accepted yet. */
    REQUESTED,
    /** They sent a request; we have not accepted yet. */
    INCOMING,
    ACCEPTED;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
