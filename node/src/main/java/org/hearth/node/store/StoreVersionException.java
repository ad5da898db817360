package org.hearth.node.store;

/** The store was written by a newer Hearth: its schema is ahead of this build, so it is not touched. */
public final class StoreVersionException extends StoreException {
    private final int storeVersion;
    private final int supportedVersion;

    public StoreVersionException(int storeVersion, int supportedVersion) {
        super("store schema version " + storeVersion + " is newer than this build supports (" + supportedVersion
                + "); upgrade Hearth to open it");
        this.storeVersion = storeVersion;
        this.supportedVersion = supportedVersion;
    }

    public int storeVersion() {
        return storeVersion;
    }

    public int supportedVersion() {
        return supportedVersion;
    }
}
