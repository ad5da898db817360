package org.hearth.node.group;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.hearth.core.group.GroupChain;
import org.hearth.core.group.GroupId;
import org.hearth.core.group.Permission;
import org.hearth.core.identity.Address;
import org.hearth.core.wire.proto.Change;

/**
 * A group as this node holds it. {@code head} is absent while invited. The manager's pending changes and
 * counters are the persisted part of its {@code ManagerEngine.Session}.
 */
public record GroupRecord(GroupId id, String name, Address manager, Role role, Status status, Permission permission,
        Optional<GroupChain.Head> head, Instant epochStartedAt, long messagesInEpoch, List<Change> pending,
        boolean rotationRequested) {

    public enum Role { MANAGER, MEMBER }

    /** REQUESTED: this node asked another to create and manage the group; its invite is accepted on arrival. */
    public enum Status { REQUESTED, INVITED, JOINING, JOINED, REMOVED }

    public long epoch() {
        return head.map(GroupChain.Head::epoch).orElse(-1L);
    }

    public GroupRecord with(Status s) {
        return new GroupRecord(id, name, manager, role, s, permission, head, epochStartedAt, messagesInEpoch, pending,
                rotationRequested);
    }
}
