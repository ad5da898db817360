package org.hearth.node.group;

/** What happened to a group message the user sent: a host stored it, or it waits for one. */
public enum SendOutcome { STORED_BY_HOST, QUEUED }
