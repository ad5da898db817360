package org.hearth.node.store;

/** The passphrase does not decrypt this store. Nothing was written: the caller may simply ask again. */
public final class WrongPassphraseException extends Exception {
    public WrongPassphraseException() {
        super("wrong passphrase for this store");
    }
}
