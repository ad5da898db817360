package org.hearth.node.group;

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
 * whenever the manager issues an epoch ({@link #invalidate}). Both caches are bounded (least recently used
 * out), and a view reads an old epoch's state only when a fetch asks for that epoch, so a host with many
 * groups and long histories holds only what its recent callers needed.
 */
public final class ManagedHostAccess implements HostAccess {
    private record TagInfo(GroupId group, long epoch) {
    }

    /** What the checks need of a group: current permissions; who belonged to an epoch is read when asked. */
    private record View(GroupId group, Map<Address, Permission> current, Map<Long, Set<Address>> byEpoch,
            boolean hostedHere) {
    }

    static final int MAX_TAGS = 65_536;
    static final int MAX_VIEWS = 4_096;
    /** Epochs whose members one view keeps; older asks read the store again. */
    static final int MAX_EPOCHS_PER_VIEW = 64;

    private final Database db;
    private final Address self;
    private final Map<Bytes, TagInfo> tags = lru(MAX_TAGS);
    private final Map<GroupId, View> views = lru(MAX_VIEWS);
    /** Bumped by every invalidation: a view read across one is used once but not cached (it may be stale). */
    private final java.util.concurrent.atomic.AtomicLong invalidations = new java.util.concurrent.atomic.AtomicLong();

    private static <K, V> Map<K, V> lru(int max) {
        return java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<K, V>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > max;
            }
        });
    }

    public ManagedHostAccess(Database db, Address self) {
        this.db = db;
        this.self = self;
    }

    /** Called after the manager commits a new epoch of {@code group}. */
    public void invalidate(GroupId group) {
        invalidations.incrementAndGet();
        views.remove(group);
    }

    @Override
    public boolean isOwner(Address from) {
        return from.equals(self);
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
            return Optional.of(everMember(v.group(), from) ? removed() : notA("writer"));
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
            return Optional.of(everMember(v.group(), from) ? removed() : notA("reader"));
        }
        for (long e : epochs) {
            if (!membersOf(v, e).contains(from)) {
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
        View cached = views.get(group);
        if (cached != null) {
            return cached;
        }
        long seen = invalidations.get();
        View v = db.read(tx -> {
            GroupState head = GroupRepository.find(tx, group).flatMap(GroupRecord::head).orElseThrow().state();
            boolean hostedHere = head.hosts().stream().anyMatch(h -> h.address().equals(self));
            return new View(group, head.members(), new ConcurrentHashMap<>(), hostedHere);
        });
        if (invalidations.get() == seen) {
            views.put(group, v);
        }
        return v;
    }

    /** Who belonged to {@code epoch}: from the view when it was asked before, else its stored state. */
    private Set<Address> membersOf(View v, long epoch) {
        Set<Address> cached = v.byEpoch().get(epoch);
        if (cached != null) {
            return cached;
        }
        Set<Address> members = db.read(tx -> GroupRepository.stateAt(tx, v.group(), epoch))
                .map(s -> Set.copyOf(s.members().keySet())).orElse(Set.of());
        if (v.byEpoch().size() < MAX_EPOCHS_PER_VIEW) {
            v.byEpoch().put(epoch, members);
        }
        return members;
    }

    /** Whether {@code who} was a member in any epoch (to tell "removed" from "never a member"); refusals only. */
    private boolean everMember(GroupId group, Address who) {
        return db.read(tx -> {
            long head = GroupRepository.find(tx, group).orElseThrow().epoch();
            for (long e = head; e >= 0; e--) {
                Optional<GroupState> s = GroupRepository.stateAt(tx, group, e);
                if (s.isPresent() && s.get().members().containsKey(who)) {
                    return true;
                }
            }
            return false;
        });
    }
}
