package org.hearth.core.group;

/** What the manager may change: the key (rotations), the members, the hosts. Named in invites. */
public record ManagerRights(boolean key, boolean members, boolean hosts) {
    public static final ManagerRights ALL = new ManagerRights(true, true, true);

    public int bits() {
        return (key ? 1 : 0) | (members ? 2 : 0) | (hosts ? 4 : 0);
    }

    public static ManagerRights fromBits(int bits) {
        if ((bits & ~7) != 0) {
            throw new IllegalArgumentException("unknown manager rights");
        }
        return new ManagerRights((bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0);
    }
}
