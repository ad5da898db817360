package org.hearth.node.group;

import java.time.Instant;

/** Something a member refused or detected: a forged or out-of-chain update, a split, equivocation. */
public record GroupAlarm(String kind, String detail, Instant at) {
}
