package org.hearth.node.contacts;

/** What a contact is to us. Managers (bots) and hosts are hidden from the contact list unless asked. */
public enum ContactKind {
    PERSON, MANAGER, HOST;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public boolean hiddenByDefault() {
        return this != PERSON;
    }
}
