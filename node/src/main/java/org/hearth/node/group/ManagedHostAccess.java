package org.hearth.node.group;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.group.GroupId;
import org.hearth.core.group.GroupState;
import org.hearth.core.group.Permission;
import org.hearth.core.identity.Address;
import org.hearth.core.wire.proto.FetchRequest;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.hearth.core.wire.proto.HostError;
import org.hearth.node.host.HostAccess;
import org.hearth.node.host.HostErrors;
import org.hearth.node.store.Database;

/**
 * The managed host's checks (Goal 3): the host is the group's manager, so it knows the signed state of every
 * epoch. Only current writers may relay; only current readers may fetch, and only epochs they belonged to.
 * Routing tags are mapped to (group, epoch) through the keys the manager made. Views are cached and dropped
 * whenever the manager issues an epoch ({@link #invalidate}).
 */
public final class ManagedHostAccess implements HostAccess {
    private record TagInfo(GroupId group, long epoch) {
    }

    /** What the checks need of a group: current permissions and who belonged to each epoch. */
    private record View(Map<Address, Permission> current, Map<Long, Set<Address>> byEpoch, Set<Address> ever,
            boolean hostedHere) {
    }

    private final Database db;
    private final Address self;
    private final Map<Bytes, TagInfo> tags = new ConcurrentHashMap<>();
    private final Map<GroupId, View> views = new ConcurrentHashMap<>();

    public ManagedHostAccess(Database db, Address self) {
        this.db = db;
        this.self = self;
    }

    /** Called after the manager commits a new epoch of {@code group}. */
    public void invalidate(GroupId group) {
        views.remove(group);
    }

    @Override
    public Optional<HostError> checkRelay(Address from, GroupEnvelope envelope) {
        Optional<TagInfo> t = tag(Bytes.wrap(envelope.getTag().toByteArray()));
        if (t.isEmpty()) {
            return Optional.of(HostErrors.of(HostError.Code.UNKNOWN_GROUP, "no such group at this host"));
        }
        if (from.equals(self)) {
            return Optional.empty();
        }
        View v = view(t.get().group());
        if (!v.hostedHere()) {
            return Optional.of(movedAway());
        }
        Permission p = v.current().get(from);
        if (p == null) {
            return Optional.of(v.ever().contains(from) ? removed() : notA("writer"));
        }
        return p.canWrite() ? Optional.empty() : Optional.of(notA("writer"));
    }

    @Override
    public Optional<HostError> checkFetch(Address from, FetchRequest request) {
        GroupId group = null;
        Set<Long> epochs = new HashSet<>();
        for (com.google.protobuf.ByteString raw : request.getTagsList()) {
            Optional<TagInfo> t = tag(Bytes.wrap(raw.toByteArray()));
            if (t.isEmpty()) {
                return Optional.of(HostErrors.of(HostError.Code.UNKNOWN_GROUP, "no such group at this host"));
            }
            if (group != null && !group.equals(t.get().group())) {
                return Optional.of(HostErrors.of(HostError.Code.MALFORMED, "one fetch serves one group"));
            }
            group = t.get().group();
            epochs.add(t.get().epoch());
        }
        if (group == null || from.equals(self)) {
            return Optional.empty();
        }
        View v = view(group);
        if (!v.hostedHere()) {
            return Optional.of(movedAway());
        }
        if (!v.current().containsKey(from)) {
            return Optional.of(v.ever().contains(from) ? removed() : notA("reader"));
        }
        for (long e : epochs) {
            if (!v.byEpoch().getOrDefault(e, Set.of()).contains(from)) {
                return Optional.of(HostErrors.of(HostError.Code.NOT_A_READER,
                        "not a reader of this group in epoch " + e));
            }
        }
        return Optional.empty();
    }

    private static HostError movedAway() {
        return HostErrors.of(HostError.Code.UNKNOWN_GROUP, "this group is no longer hosted here");
    }

    private static HostError removed() {
        return HostErrors.of(HostError.Code.REMOVED, "removed from this group");
    }

    private static HostError notA(String what) {
        return HostErrors.of(what.equals("writer") ? HostError.Code.NOT_A_WRITER : HostError.Code.NOT_A_READER,
                "not a " + what + " of this group");
    }

    private Optional<TagInfo> tag(Bytes tag) {
        TagInfo cached = tags.get(tag);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<TagInfo> found = db.read(tx -> tx.queryOne("SELECT k.group_id, k.epoch FROM group_keys k JOIN groups g"
                + " ON g.id = k.group_id WHERE k.tag = ? AND g.role = 'MANAGER'",
                rs -> new TagInfo(new GroupId(Bytes.wrap(rs.getBytes(1))), rs.getLong(2)), tag));
        found.ifPresent(t -> tags.put(tag, t));
        return found;
    }

    private View view(GroupId group) {
        return views.computeIfAbsent(group, g -> db.read(tx -> {
            GroupState head = GroupRepository.find(tx, g).flatMap(GroupRecord::head).orElseThrow().state();
            Map<Long, Set<Address>> byEpoch = new HashMap<>();
            Set<Address> ever = new HashSet<>();
            for (long e = 0; e <= GroupRepository.find(tx, g).orElseThrow().epoch(); e++) {
                Optional<GroupState> s = GroupRepository.stateAt(tx, g, e);
                if (s.isPresent()) {
                    byEpoch.put(e, Set.copyOf(s.get().members().keySet()));
                    ever.addAll(s.get().members().keySet());
                }
            }
            boolean hostedHere = head.hosts().stream().anyMatch(h -> h.address().equals(self));
            return new View(Map.copyOf(head.members()), byEpoch, ever, hostedHere);
        }));
    }
}
