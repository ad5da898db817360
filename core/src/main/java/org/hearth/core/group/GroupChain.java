package org.hearth.core.group;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongFunction;
import org.hearth.core.crypto.CryptoException;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.Endpoint;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.proto.Change;

/**
 * The member's rules for the group log, as pure functions: an update is accepted only if the group's
 * manager signed it, it extends the head the member holds (epoch + 1, previous hash), its changes are within
 * the manager's rights, and the state they produce has the digest the manager signed.
 */
public final class GroupChain {
    private GroupChain() {
    }

    /** Why an update was refused. Counted per group and shown in {@code group status}. */
    public enum Refusal { WRONG_GROUP, FORGED, REPLAYED, GAP, OUT_OF_CHAIN, BAD_CHANGE, BAD_STATE }

    public sealed interface Verdict {
    }

    /** The update extends the chain; {@code head} is the new head. */
    public record Accepted(Head head) implements Verdict {
    }

    public record Refused(Refusal reason, String detail) implements Verdict {
    }

    /** Two valid manager signatures for the same (group, epoch): a proof that anyone can check. */
    public record Equivocated(EquivocationProof proof) implements Verdict {
    }

    /** The state after {@code update}: what a member holds. */
    public record Head(GroupState state, GroupUpdate update) {
        public long epoch() {
            return update.epoch();
        }
    }

    /** Verifies a genesis update (epoch 0, a single create) from the manager named in the invite. */
    public static Verdict genesis(GroupUpdate update, Address expectedManager) {
        if (update.epoch() != 0 || !update.prevHash().equals(GroupUpdate.NO_PREVIOUS) || update.changes().size() != 1
                || update.changes().get(0).getKindCase() != Change.KindCase.CREATE) {
            return new Refused(Refusal.OUT_OF_CHAIN, "not a genesis update");
        }
        GroupState state;
        try {
            update.verifySignature(expectedManager);
            state = GroupState.fromProto(update.changes().get(0).getCreate());
        } catch (CryptoException e) {
            return new Refused(Refusal.FORGED, "genesis not signed by the manager");
        } catch (MalformedMessageException e) {
            return new Refused(Refusal.BAD_CHANGE, e.getMessage());
        }
        if (!state.manager().equals(expectedManager) || !state.id().equals(update.groupId())) {
            return new Refused(Refusal.BAD_STATE, "genesis names another manager or group");
        }
        return digestMatches(state, update);
    }

    /** Adopts a snapshot (sent on join): the head must be the manager's and the snapshot must match its digest. */
    public static Verdict adopt(GroupState snapshot, GroupUpdate head, GroupId group, Address expectedManager) {
        if (!head.groupId().equals(group) || !snapshot.id().equals(group)) {
            return new Refused(Refusal.WRONG_GROUP, "snapshot of another group");
        }
        try {
            head.verifySignature(expectedManager);
        } catch (CryptoException e) {
            return new Refused(Refusal.FORGED, "head not signed by the manager");
        }
        if (!snapshot.manager().equals(expectedManager)) {
            return new Refused(Refusal.BAD_STATE, "snapshot names another manager");
        }
        return digestMatches(snapshot, head);
    }

    /**
     * Applies {@code update} on top of {@code current}. {@code acceptedAt} gives the hash of the update this
     * member accepted for an earlier epoch, to tell a harmless replay from equivocation.
     */
    public static Verdict apply(Head current, GroupUpdate update, LongFunction<Optional<GroupUpdate>> acceptedAt) {
        GroupState state = current.state();
        if (!update.groupId().equals(state.id())) {
            return new Refused(Refusal.WRONG_GROUP, "update for another group");
        }
        try {
            update.verifySignature(state.manager());
        } catch (CryptoException e) {
            return new Refused(Refusal.FORGED, "not signed by the group's manager");
        }
        long epoch = update.epoch();
        if (epoch <= current.epoch()) {
            Optional<GroupUpdate> known = epoch == current.epoch() ? Optional.of(current.update()) : acceptedAt.apply(epoch);
            if (known.isPresent() && !known.get().hash().equals(update.hash())) {
                return new Equivocated(new EquivocationProof(state.manager(), known.get(), update));
            }
            return new Refused(Refusal.REPLAYED, "epoch " + epoch + " is not newer than " + current.epoch());
        }
        if (epoch > current.epoch() + 1) {
            return new Refused(Refusal.GAP, "missing epochs before " + epoch);
        }
        if (!update.prevHash().equals(current.update().hash())) {
            return new Refused(Refusal.OUT_OF_CHAIN, "does not extend the head");
        }
        try {
            return digestMatches(applyChanges(state, update.changes()), update);
        } catch (MalformedMessageException e) {
            return new Refused(Refusal.BAD_CHANGE, e.getMessage());
        }
    }

    private static Verdict digestMatches(GroupState state, GroupUpdate update) {
        if (!state.digest().equals(update.stateDigest())) {
            return new Refused(Refusal.BAD_STATE, "state digest does not match");
        }
        return new Accepted(new Head(state, update));
    }

    /** Applies changes in order; used by members to verify and by the manager to build updates. */
    public static GroupState applyChanges(GroupState state, List<Change> changes) throws MalformedMessageException {
        // one copy of the sorted map (linear: same order), handed to the new state without copying again
        TreeMap<Address, Permission> members = new TreeMap<>(state.members());
        List<Endpoint> hosts = state.hosts();
        GroupPolicy policy = state.policy();
        ManagerRights rights = state.rights();
        for (Change c : changes) {
            switch (c.getKindCase()) {
                case ADD -> {
                    need(rights.members(), "members");
                    Address a = GroupState.member(c.getAdd().getMember());
                    if (members.putIfAbsent(a, Permission.fromProto(c.getAdd().getPermission())) != null) {
                        throw new MalformedMessageException("added member is already a member");
                    }
                }
                case REMOVE -> {
                    need(rights.members(), "members");
                    if (members.remove(GroupState.member(c.getRemove())) == null) {
                        throw new MalformedMessageException("removed member is not a member");
                    }
                }
                case SET_PERMISSION -> {
                    need(rights.members(), "members");
                    Address a = GroupState.member(c.getSetPermission().getMember());
                    if (!members.containsKey(a)) {
                        throw new MalformedMessageException("permission change for a non-member");
                    }
                    members.put(a, Permission.fromProto(c.getSetPermission().getPermission()));
                }
                case SET_HOSTS -> {
                    need(rights.hosts(), "hosts");
                    List<Endpoint> h = new ArrayList<>();
                    for (String s : c.getSetHosts().getEndpointsList()) {
                        h.add(GroupState.endpoint(s));
                    }
                    hosts = h;
                }
                case SET_POLICY -> policy = GroupPolicy.fromProto(c.getSetPolicy());
                case ROTATE -> need(rights.key(), "key");
                case CREATE, KIND_NOT_SET -> throw new MalformedMessageException("create outside genesis");
            }
        }
        try {
            return GroupState.owning(state.id(), state.name(), state.manager(), rights, members, hosts, policy);
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException(e.getMessage());
        }
    }

    private static void need(boolean right, String what) throws MalformedMessageException {
        if (!right) {
            throw new MalformedMessageException("the manager has no right to change " + what);
        }
    }

}
