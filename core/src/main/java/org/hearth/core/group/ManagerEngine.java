package org.hearth.core.group;

import com.google.protobuf.ByteString;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hearth.core.bytes.SecretBytes;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.Identity;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.proto.Change;
import org.hearth.core.wire.proto.GroupUpdateBody;

/**
 * The manager's side of the group log, pure: an immutable {@link Session} in, the next session and the
 * update to publish (if any) out. Changes are validated when proposed and wait in the session until the
 * rotation policy lets the next epoch start; then they all go out in one update with one fresh key.
 */
public final class ManagerEngine {
    private ManagerEngine() {
    }

    /**
     * What the manager holds for a group. {@code pending} changes are already validated against
     * {@code pendingState}, the state they will produce.
     */
    public record Session(GroupChain.Head head, List<Change> pending, GroupState pendingState, Instant epochStartedAt,
            long messagesInEpoch, boolean rotationRequested) {
        public Session {
            pending = List.copyOf(pending);
        }

        public Session withMessages(long n) {
            return new Session(head, pending, pendingState, epochStartedAt, n, rotationRequested);
        }

        public Session requestRotation() {
            return new Session(head, pending, pendingState, epochStartedAt, messagesInEpoch, true);
        }
    }

    /** A new epoch: its signed update and its key (to deliver to readers only). */
    public record Issued(GroupUpdate update, SecretBytes key) {
    }

    public record Step(Session session, Optional<Issued> issued, Optional<Instant> nextCheck) {
    }

    /**
     * Members a group can be created with (the manager included when it is one): as many as one later update can
     * add ({@code GroupUpdate.MAX_CHANGES}), since the genesis carries the whole initial state in one update body
     * (about 1290 members would fit at most). A larger group grows from there, up to {@link GroupState#MAX_MEMBERS}.
     */
    public static final int MAX_INITIAL_MEMBERS = 1000;

    /**
     * The group's first epoch. {@code members} are its initial members, all in the genesis state (one update,
     * one key, whatever their number): creating a group with its members costs one epoch, not one per member.
     * Throws when the members exceed {@link #MAX_INITIAL_MEMBERS} or the genesis update would not fit one
     * update body.
     */
    public static Step create(Identity manager, GroupId id, String name, Map<Address, Permission> members,
            List<org.hearth.core.identity.Endpoint> hosts, GroupPolicy policy, Instant now, RandomSource random) {
        if (members.size() > MAX_INITIAL_MEMBERS) {
            throw new IllegalArgumentException("too many initial members: a group starts with at most "
                    + MAX_INITIAL_MEMBERS + " and grows by up to " + MAX_INITIAL_MEMBERS + " an epoch");
        }
        GroupState state = new GroupState(id, name, manager.address(), ManagerRights.ALL, members, hosts, policy);
        GroupUpdateBody body = GroupUpdateBody.newBuilder()
                .setGroupId(GroupState.bs(id.bytes())).setEpoch(0).setPrevHash(GroupState.bs(GroupUpdate.NO_PREVIOUS))
                .setStateDigest(GroupState.bs(state.digest()))
                .addChanges(Change.newBuilder().setCreate(state.toProto())).setTimeMs(now.toEpochMilli()).build();
        if (body.getSerializedSize() > GroupUpdate.MAX_BODY_BYTES) {
            throw new IllegalArgumentException("too many initial members for the group's first update");
        }
        GroupUpdate genesis = GroupUpdate.sign(manager, body);
        Session s = new Session(new GroupChain.Head(state, genesis), List.of(), state, now, 0, false);
        return new Step(s, Optional.of(new Issued(genesis, EpochKey.fresh(random))), Optional.empty());
    }

    /** Queues a change after checking it applies; throws with a user-facing reason when it does not. */
    public static Session propose(Session s, Change change) {
        GroupState next;
        try {
            next = GroupChain.applyChanges(s.pendingState(), List.of(change));
        } catch (MalformedMessageException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        List<Change> pending = new ArrayList<>(s.pending());
        pending.add(change);
        // the next update carries every pending change: refuse what would not fit one update
        int size = GroupUpdateBody.newBuilder().addAllChanges(pending).build().getSerializedSize();
        if (pending.size() > GroupUpdate.MAX_CHANGES || size > GroupUpdate.MAX_BODY_BYTES - 1024) {
            throw new IllegalArgumentException("too many changes wait for the next rotation; try again after it");
        }
        return new Session(s.head(), pending, next, s.epochStartedAt(), s.messagesInEpoch(), s.rotationRequested());
    }

    /** Starts the next epoch if the policy allows; otherwise says when to look again. */
    public static Step tick(Session s, Identity manager, Instant now, RandomSource random) {
        RotationPolicy.Decision d = RotationPolicy.decide(s.head().state().policy(), new RotationPolicy.Inputs(now,
                s.epochStartedAt(), s.messagesInEpoch(), !s.pending().isEmpty(), s.rotationRequested()));
        if (!d.rotateNow()) {
            return new Step(s, Optional.empty(), d.nextCheck());
        }
        List<Change> changes = s.pending().isEmpty()
                ? List.of(Change.newBuilder().setRotate(true).build()) : s.pending();
        GroupChain.Head head = s.head();
        // propose keeps the pending changes within one update; a session stored by older code may hold more:
        // issue what fits and leave the rest for the next rotation, rather than fail every tick
        int fit = fitting(changes);
        List<Change> rest = changes.subList(fit, changes.size());
        changes = changes.subList(0, fit);
        GroupState issuedState = s.pendingState();
        if (!rest.isEmpty()) {
            try {
                issuedState = GroupChain.applyChanges(head.state(), changes);
            } catch (MalformedMessageException e) {
                throw new IllegalArgumentException("pending changes no longer apply: " + e.getMessage(), e);
            }
        }
        GroupUpdate update = GroupUpdate.sign(manager, GroupUpdateBody.newBuilder()
                .setGroupId(GroupState.bs(head.state().id().bytes())).setEpoch(head.epoch() + 1)
                .setPrevHash(GroupState.bs(head.update().hash())).setStateDigest(GroupState.bs(issuedState.digest()))
                .addAllChanges(changes).setTimeMs(now.toEpochMilli()).build());
        Session next = new Session(new GroupChain.Head(issuedState, update), rest, s.pendingState(), now, 0, false);
        Optional<Instant> ageCheck = next.head().state().policy().rotateEvery().isZero() ? Optional.empty()
                : Optional.of(now.plus(next.head().state().policy().rotateEvery()));
        return new Step(next, Optional.of(new Issued(update, EpochKey.fresh(random))), ageCheck);
    }

    /** How many of {@code changes}, from the first, one update can carry (count and size, as in propose). */
    private static int fitting(List<Change> changes) {
        int size = 0;
        for (int i = 0; i < changes.size(); i++) {
            size += com.google.protobuf.CodedOutputStream.computeMessageSize(GroupUpdateBody.CHANGES_FIELD_NUMBER,
                    changes.get(i));
            if (i >= GroupUpdate.MAX_CHANGES || size > GroupUpdate.MAX_BODY_BYTES - 1024) {
                return Math.max(i, 1);
            }
        }
        return changes.size();
    }

    /** Convenience for building changes. */
    public static Change add(Address member, Permission p) {
        return Change.newBuilder().setAdd(org.hearth.core.wire.proto.MemberChange.newBuilder()
                .setMember(ByteString.copyFrom(member.publicKey().toByteArray())).setPermission(p.toProto())).build();
    }

    public static Change remove(Address member) {
        return Change.newBuilder().setRemove(ByteString.copyFrom(member.publicKey().toByteArray())).build();
    }

    public static Change setPermission(Address member, Permission p) {
        return Change.newBuilder().setSetPermission(org.hearth.core.wire.proto.MemberChange.newBuilder()
                .setMember(ByteString.copyFrom(member.publicKey().toByteArray())).setPermission(p.toProto())).build();
    }

    public static Change setPolicy(GroupPolicy p) {
        return Change.newBuilder().setSetPolicy(p.toProto()).build();
    }

    public static Change setHosts(List<org.hearth.core.identity.Endpoint> hosts) {
        return Change.newBuilder().setSetHosts(org.hearth.core.wire.proto.HostList.newBuilder()
                .addAllEndpoints(hosts.stream().map(Object::toString).toList())).build();
    }
}
