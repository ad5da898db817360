package org.hearth.node.group;

import com.google.protobuf.ByteString;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.group.EpochKey;
import org.hearth.core.group.GroupChain;
import org.hearth.core.group.GroupId;
import org.hearth.core.group.GroupPolicy;
import org.hearth.core.group.GroupState;
import org.hearth.core.group.GroupSyncParts;
import org.hearth.core.group.Invite;
import org.hearth.core.group.KeyCatchup;
import org.hearth.core.group.ManagerEngine;
import org.hearth.core.group.Permission;
import org.hearth.core.group.RotationPolicy;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.Endpoint;
import org.hearth.core.wire.MessageId;
import org.hearth.core.wire.WireCodec;
import org.hearth.core.wire.proto.Change;
import org.hearth.core.wire.proto.EpochDelivery;
import org.hearth.core.wire.proto.GroupSync;
import org.hearth.core.wire.proto.GroupSyncPart;
import org.hearth.core.wire.proto.PeerMessage;
import org.hearth.node.UserError;
import org.hearth.node.store.Transaction;

/**
 * The manager role: keeps the member list, turns changes into signed updates when the rotation policy
 * allows, and delivers each update to every member over its own channel, with the epoch key for readers.
 * Deliveries go through the durable outbox, so offline members get them when they return; what keys they
 * get then is the group's catch-up policy.
 */
final class ManagerRole {
    private final GroupContext ctx;
    private final java.util.function.Predicate<Address> online;
    private final java.util.function.Consumer<GroupId> epochIssued;
    /** Told after an epoch that changed the hosts commits: (group, old hosts, new hosts). */
    private volatile HostsMoved hostsMoved = (g, from, to) -> { };
    /** Which group the sweep must look at when: see {@link #tickDue}. */
    private final ManagerSchedule schedule = new ManagerSchedule();

    interface HostsMoved {
        void moved(GroupId group, List<Endpoint> from, List<Endpoint> to);
    }

    void onHostsMoved(HostsMoved listener) {
        this.hostsMoved = listener;
    }

    ManagerRole(GroupContext ctx, java.util.function.Predicate<Address> online,
            java.util.function.Consumer<GroupId> epochIssued) {
        this.ctx = ctx;
        this.online = online;
        this.epochIssued = epochIssued;
    }

    GroupId create(String name, List<Endpoint> hosts, GroupPolicy policy, boolean managerIsMember) {
        return create(GroupId.random(ctx.random()), name, hosts, policy, managerIsMember, Map.of(), List.of());
    }

    /** {@code initialMembers} by endpoint: where to reach them is remembered in the same transaction. */
    GroupId create(String name, List<Endpoint> hosts, GroupPolicy policy, boolean managerIsMember,
            Map<Endpoint, Permission> initialMembers) {
        Map<Address, Permission> members = new java.util.HashMap<>();
        initialMembers.forEach((e, p) -> members.put(e.address(), p));
        return create(GroupId.random(ctx.random()), name, hosts, policy, managerIsMember, members,
                List.copyOf(initialMembers.keySet()));
    }

    GroupId create(GroupId id, String name, List<Endpoint> hosts, GroupPolicy policy, boolean managerIsMember) {
        return create(id, name, hosts, policy, managerIsMember, Map.of(), List.of());
    }

    /**
     * Creates a group whose first epoch already holds {@code initialMembers}: one signed genesis, one key, and in
     * the same transaction an invite queued to each of them (durable: offline members get it when they return).
     */
    GroupId create(GroupId id, String name, List<Endpoint> hosts, GroupPolicy policy, boolean managerIsMember,
            Map<Address, Permission> initialMembers, List<Endpoint> hints) {
        Instant now = ctx.clock().instant();
        Address self = ctx.identity().address();
        Map<Address, Permission> members = new java.util.HashMap<>(initialMembers);
        if (managerIsMember) {
            members.put(self, Permission.WRITE);
        }
        ManagerEngine.Step step = ManagerEngine.create(ctx.identity(), id, name, members, hosts, policy, now,
                ctx.random());
        ManagerEngine.Issued genesis = step.issued().orElseThrow();
        GroupChain.Head head = step.session().head();
        GroupState state = head.state();
        // signed before the transaction: many creators sign in parallel and hold the write lock only to insert
        record Signed(Address member, MessageId itemId, PeerMessage invite) {
        }
        List<Signed> invites = new ArrayList<>();
        for (Map.Entry<Address, Permission> m : state.members().entrySet()) {
            if (!m.getKey().equals(self)) {
                MessageId itemId = MessageId.random(ctx.random());
                invites.add(new Signed(m.getKey(), itemId, GroupContext.message().setGroupInvite(
                        Invite.sign(ctx.identity(), state, m.getKey(), m.getValue(), now, itemId.bytes())).build()));
            }
        }
        ctx.write(tx -> {
            for (Endpoint e : hosts) {
                org.hearth.node.peer.PeerDirectory.remember(tx, e);
            }
            for (Endpoint e : hints) {
                org.hearth.node.peer.PeerDirectory.remember(tx, e);
            }
            GroupRepository.insert(tx, new GroupRecord(id, name, self, GroupRecord.Role.MANAGER,
                    GroupRecord.Status.JOINED, Permission.WRITE, Optional.of(head), now, 0, List.of(), false), now);
            GroupRepository.putUpdate(tx, head);
            GroupRepository.putKey(tx, new EpochKey(id, 0, genesis.update().hash(), genesis.key()));
            for (Signed i : invites) {
                GroupRepository.rosterAdd(tx, id, i.member(), 0);
                ctx.deliveries().enqueue(tx.connection(), i.member(), i.itemId(), i.invite());
            }
            return null;
        });
        state.members().keySet().stream().filter(m -> !m.equals(self)).forEach(ctx.deliveries()::kick);
        RotationPolicy.decide(policy, new RotationPolicy.Inputs(now, now, 0, false, false)).nextCheck()
                .ifPresent(t -> schedule.offer(id, t));
        return id;
    }

    /** Records a new member in the roster and queues its invite, in the caller's transaction. */
    private void invite(Transaction tx, GroupState state, Address member, Permission p, long epoch, Instant now)
            throws SQLException {
        GroupRepository.rosterAdd(tx, state.id(), member, epoch);
        MessageId itemId = MessageId.random(ctx.random());
        ctx.deliveries().enqueue(tx.connection(), member, itemId, GroupContext.message().setGroupInvite(
                Invite.sign(ctx.identity(), state, member, p, now, itemId.bytes())).build());
    }

    /** Queues a change (validated now); it goes out with the next rotation the policy allows. */
    void propose(GroupId id, Change change) {
        ctx.write(tx -> {
            GroupRecord g = managed(tx, id);
            ManagerEngine.Session s;
            try {
                s = ManagerEngine.propose(session(g), change);
            } catch (IllegalArgumentException e) {
                throw new UserError(UserError.Kind.CONFLICT, e.getMessage());
            }
            GroupRepository.save(tx, withSession(g, s));
            return null;
        });
        schedule.offer(id, ctx.clock().instant());
    }

    void requestRotation(GroupId id) {
        ctx.write(tx -> {
            GroupRecord g = managed(tx, id);
            GroupRepository.save(tx, withSession(g, session(g).requestRotation()));
            return null;
        });
        schedule.offer(id, ctx.clock().instant());
    }

    /**
     * The sweep: ticks the groups that are due now, and only those; each is scheduled again at the time its
     * policy gives (or not at all when nothing is timed). Returns the groups it ticked.
     */
    List<GroupId> tickDue() {
        List<GroupId> due = schedule.takeDue(ctx.clock().instant());
        for (GroupId id : due) {
            try {
                tick(id);
            } catch (UserError e) {
                // the group is gone or no longer ours: nothing to schedule
            } catch (RuntimeException e) {
                schedule.offer(id, ctx.clock().instant().plus(RETRY_FAILED_TICK));
                throw e;
            }
        }
        return due;
    }

    private static final java.time.Duration RETRY_FAILED_TICK = java.time.Duration.ofSeconds(5);

    /** At start: every managed group is looked at once (ids only here), then by its own due time. */
    void loadSchedule() {
        Instant now = ctx.clock().instant();
        for (GroupId id : managedGroups()) {
            schedule.offer(id, now);
        }
    }

    /** When {@code id} is next due, if it is scheduled (for tests and diagnostics). */
    Optional<Instant> dueAt(GroupId id) {
        return schedule.dueAt(id);
    }

    /**
     * Starts the next epoch of a group when its policy allows, delivering it; returns when to look again.
     * The whole step (new head, key, every delivery) commits in one transaction.
     */
    Optional<Instant> tick(GroupId id) {
        Optional<Instant> next = tickOnce(id);
        next.ifPresent(t -> schedule.offer(id, t));
        return next;
    }

    private Optional<Instant> tickOnce(GroupId id) {
        // a read decides; the write lock is taken only when an epoch is due (the sweep runs twice a second)
        RotationPolicy.Decision preview = ctx.read(tx -> {
            ManagerEngine.Session s = session(managed(tx, id));
            return RotationPolicy.decide(s.head().state().policy(), new RotationPolicy.Inputs(ctx.clock().instant(),
                    s.epochStartedAt(), s.messagesInEpoch(), !s.pending().isEmpty(), s.rotationRequested()));
        });
        if (!preview.rotateNow()) {
            return preview.nextCheck();
        }
        Set<Address> recipients = new HashSet<>();
        Optional<Instant> next = ctx.db().write(tx -> {
            GroupRecord g = managed(tx, id);
            ManagerEngine.Step step = ManagerEngine.tick(session(g), ctx.identity(), ctx.clock().instant(), ctx.random());
            if (step.issued().isEmpty()) {
                return step.nextCheck();
            }
            tx.afterCommit(ctx.changes()::bump);
            recipients.addAll(publish(tx, g, step));
            return step.nextCheck();
        });
        recipients.forEach(ctx.deliveries()::kick);
        return next;
    }

    private Set<Address> publish(Transaction tx, GroupRecord g, ManagerEngine.Step step) throws SQLException {
        ManagerEngine.Issued issued = step.issued().orElseThrow();
        GroupChain.Head head = step.session().head();
        GroupState before = g.head().orElseThrow().state();
        GroupState after = head.state();
        Instant now = ctx.clock().instant();
        EpochKey key = new EpochKey(g.id(), head.epoch(), issued.update().hash(), issued.key());
        tx.afterCommit(() -> epochIssued.accept(g.id()));
        if (!before.hosts().equals(after.hosts())) {
            tx.afterCommit(() -> hostsMoved.moved(g.id(), before.hosts(), after.hosts()));
        }
        GroupRepository.save(tx, withSession(g, step.session()));
        GroupRepository.putUpdate(tx, head);
        GroupRepository.putKey(tx, key);
        GroupRepository.endEpochsBefore(tx, g.id(), head.epoch(), now);
        Set<Address> recipients = new HashSet<>();
        for (Address m : after.members().keySet()) {
            if (!before.members().containsKey(m) && !m.equals(ctx.identity().address())) {
                invite(tx, after, m, after.members().get(m), head.epoch(), now);
                recipients.add(m);
            }
        }
        KeyCatchup catchup = after.policy().keyCatchup();
        for (GroupRepository.RosterEntry r : GroupRepository.joined(tx, g.id())) {
            boolean stays = after.members().containsKey(r.member());
            // an offline member's key waits only if the policy lets returning members have missed keys
            boolean withKey = stays && (online.test(r.member()) || catchup == KeyCatchup.SINCE_JOIN);
            deliver(tx, r.member(), issued.update().signed(), withKey ? Optional.of(key) : Optional.empty());
            recipients.add(r.member());
        }
        for (Address m : before.members().keySet()) {
            if (!after.members().containsKey(m)) {
                GroupRepository.rosterRemove(tx, g.id(), m);
            }
        }
        return recipients;
    }

    private void deliver(Transaction tx, Address member, org.hearth.core.wire.proto.SignedUpdate update,
            Optional<EpochKey> key) throws SQLException {
        MessageId itemId = MessageId.random(ctx.random());
        EpochDelivery.Builder d = EpochDelivery.newBuilder().setId(bs(itemId.bytes())).setUpdate(update);
        key.ifPresent(k -> d.setKey(ByteString.copyFrom(k.key().reveal())));
        ctx.deliveries().enqueue(tx.connection(), member, itemId, GroupContext.message().setEpochDelivery(d).build());
    }

    /** A member accepted its invite: send it the state, the head and the keys its policy allows. */
    void onJoin(Address from, GroupId id) {
        boolean sent = ctx.write(tx -> {
            Optional<GroupRecord> g = GroupRepository.find(tx, id);
            if (g.isEmpty() || g.get().role() != GroupRecord.Role.MANAGER) {
                return false;
            }
            Optional<GroupRepository.RosterEntry> r = GroupRepository.roster(tx, id, from);
            if (r.isEmpty() || !g.get().head().orElseThrow().state().members().containsKey(from)) {
                return false; // not a member (removed meanwhile): nothing to send
            }
            GroupRepository.rosterJoined(tx, id, from);
            sync(tx, g.get(), from, r.get().addedEpoch(), true);
            return true;
        });
        if (sent) {
            ctx.deliveries().kick(from);
        }
    }

    /** A returning member asks for keys: answer within the catch-up policy. */
    void onCatchup(Address from, GroupId id) {
        boolean sent = ctx.write(tx -> {
            Optional<GroupRecord> g = GroupRepository.find(tx, id);
            Optional<GroupRepository.RosterEntry> r = GroupRepository.roster(tx, id, from);
            if (g.isEmpty() || r.isEmpty() || !r.get().joined()
                    || !g.get().head().orElseThrow().state().members().containsKey(from)) {
                return false;
            }
            sync(tx, g.get(), from, r.get().addedEpoch(), false);
            return true;
        });
        if (sent) {
            ctx.deliveries().kick(from);
        }
    }

    /** On reconnect of a joined member whose group gives returning members the latest key. */
    void onMemberConnected(Address member) {
        List<GroupId> latest = ctx.read(tx -> {
            List<GroupId> out = new ArrayList<>();
            for (GroupId joined : GroupRepository.joinedGroupsOf(tx, member)) {
                GroupRecord g = GroupRepository.find(tx, joined).orElse(null);
                if (g != null && g.role() == GroupRecord.Role.MANAGER && g.head().isPresent()
                        && g.head().get().state().policy().keyCatchup() == KeyCatchup.LATEST
                        && g.head().get().state().members().containsKey(member)
                        && GroupRepository.roster(tx, g.id(), member).map(GroupRepository.RosterEntry::joined).orElse(false)) {
                    out.add(g.id());
                }
            }
            return out;
        });
        for (GroupId id : latest) {
            ctx.write(tx -> {
                GroupRecord g = managed(tx, id);
                GroupChain.Head h = g.head().orElseThrow();
                deliver(tx, member, h.update().signed(), GroupRepository.key(tx, id, h.epoch()));
                return null;
            });
        }
        if (!latest.isEmpty()) {
            ctx.deliveries().kick(member);
        }
    }

    private void sync(Transaction tx, GroupRecord g, Address to, long addedEpoch, boolean joining) throws SQLException {
        GroupChain.Head h = g.head().orElseThrow();
        KeyCatchup policy = h.state().policy().keyCatchup();
        GroupSync.Builder s = GroupSync.newBuilder().setState(h.state().toProto()).setHead(h.update().signed());
        for (EpochKey k : GroupRepository.keys(tx, g.id())) {
            boolean current = k.epoch() == h.epoch();
            boolean allowed = current ? (joining || policy != KeyCatchup.NONE)
                    : policy == KeyCatchup.SINCE_JOIN && k.epoch() >= addedEpoch;
            if (allowed) {
                s.addKeys(org.hearth.core.wire.proto.EpochKey.newBuilder().setEpoch(k.epoch())
                        .setUpdateHash(bs(k.updateHash())).setKey(ByteString.copyFrom(k.key().reveal())));
            }
        }
        if (policy == KeyCatchup.SINCE_JOIN && addedEpoch < h.epoch()) {
            addHistory(tx, g.id(), s, addedEpoch, h.epoch());
        }
        enqueueSync(tx, to, s);
    }

    /**
     * One GroupSync item when it fits a peer message (the format all managers send); otherwise its bytes go as
     * parts, each its own outbox item, committed together (protocol §6.1).
     */
    private void enqueueSync(Transaction tx, Address to, GroupSync.Builder s) throws SQLException {
        MessageId itemId = MessageId.random(ctx.random());
        GroupSync whole = s.setId(bs(itemId.bytes())).build();
        if (GroupSyncParts.fitsOneMessage(whole)) {
            ctx.deliveries().enqueue(tx.connection(), to, itemId, GroupContext.message().setGroupSync(whole).build());
            return;
        }
        for (GroupSyncPart p : GroupSyncParts.split(whole, () -> MessageId.random(ctx.random()))) {
            ctx.deliveries().enqueue(tx.connection(), to, new MessageId(Bytes.wrap(p.getId().toByteArray())),
                    GroupContext.message().setGroupSyncPart(p).build());
        }
    }

    /**
     * Lets a member added before the head verify the epochs since: their base state and every update. Left out
     * (the member reads from the head) when the sync with it would exceed what parts may carry.
     */
    private static void addHistory(Transaction tx, GroupId id, GroupSync.Builder s, long from, long to)
            throws SQLException {
        Optional<GroupState> baseState = GroupRepository.stateAt(tx, id, from);
        Optional<org.hearth.core.group.GroupUpdate> base = GroupRepository.update(tx, id, from);
        if (baseState.isEmpty() || base.isEmpty()) {
            return;
        }
        GroupSync.Builder history = GroupSync.newBuilder().setBaseState(baseState.get().toProto())
                .setBase(base.get().signed());
        long budget = MAX_SYNC_BYTES - s.build().getSerializedSize() - history.build().getSerializedSize();
        for (long e = from + 1; e <= to && budget > 0; e++) {
            Optional<org.hearth.core.group.GroupUpdate> u = GroupRepository.update(tx, id, e);
            if (u.isEmpty()) {
                return;
            }
            history.addChain(u.get().signed());
            budget -= u.get().signed().getSerializedSize() + 4; // field tag and length
        }
        if (budget > 0) {
            s.setBaseState(history.getBaseState()).setBase(history.getBase()).addAllChain(history.getChainList());
        }
    }

    /** Room for the whole sync, less a margin for its id and field overhead. */
    private static final int MAX_SYNC_BYTES = WireCodec.MAX_SYNC_BYTES - 1024;

    /**
     * Message retention at this node's own host, for the groups it manages and hosts: envelopes older than the
     * policy's age or beyond its count are deleted, and so are envelopes of epochs whose keys expired.
     */
    void enforceRetention(org.hearth.node.host.HostService host, Address self) {
        Instant now = ctx.clock().instant();
        record Hosted(GroupId id, GroupPolicy policy) {
        }
        record Ended(Bytes tag, long endedAt) {
        }
        // one pass over the managed groups' rows, parsing only each state's hosts and policy (no member list)
        String selfPrefix = self.text() + "@";
        List<Hosted> hosted = new ArrayList<>();
        ctx.read(tx -> tx.query("SELECT id, state FROM groups WHERE role = 'MANAGER' AND state IS NOT NULL", rs -> {
            try {
                org.hearth.core.wire.proto.GroupStateProto p =
                        org.hearth.core.wire.proto.GroupStateProto.parseFrom(rs.getBytes(2));
                if (p.getHostsList().stream().anyMatch(h -> h.startsWith(selfPrefix))) {
                    hosted.add(new Hosted(new GroupId(Bytes.wrap(rs.getBytes(1))), GroupPolicy.fromProto(p.getPolicy())));
                }
            } catch (com.google.protobuf.InvalidProtocolBufferException
                    | org.hearth.core.wire.MalformedMessageException e) {
                throw new SQLException("corrupt group row", e);
            }
            return null;
        }));
        Map<GroupId, List<Ended>> ended = new java.util.HashMap<>();
        ctx.read(tx -> tx.query("SELECT group_id, tag, ended_at FROM group_keys WHERE ended_at IS NOT NULL", rs -> {
            ended.computeIfAbsent(new GroupId(Bytes.wrap(rs.getBytes(1))), k -> new ArrayList<>())
                    .add(new Ended(Bytes.wrap(rs.getBytes(2)), rs.getLong(3)));
            return null;
        }));
        for (Hosted g : hosted) {
            GroupPolicy p = g.policy();
            if (!p.messageRetention().isZero() || p.maxMessages() > 0) {
                List<Bytes> tags = ctx.read(tx -> GroupRepository.keys(tx, g.id())).stream().map(EpochKey::tag).toList();
                Instant cutoff = p.messageRetention().isZero() ? Instant.EPOCH : now.minus(p.messageRetention());
                host.prune(tags, cutoff, p.maxMessages());
            }
            if (!p.keyRetention().isZero()) {
                Instant cutoff = now.minus(p.keyRetention());
                List<Bytes> expiring = ended.getOrDefault(g.id(), List.of()).stream()
                        .filter(e -> e.endedAt() <= cutoff.toEpochMilli()).map(Ended::tag).toList();
                if (!expiring.isEmpty()) {
                    host.prune(expiring, Instant.ofEpochMilli(Long.MAX_VALUE), 0); // nobody can read them any more
                    ctx.db().write(tx -> {
                        tx.afterCommit(ctx.changes()::bump);
                        return GroupRepository.deleteKeysEndedBefore(tx, g.id(), cutoff);
                    });
                }
            }
        }
    }

    /** The ids of the groups this node manages (no state is parsed). */
    List<GroupId> managedGroups() {
        return ctx.read(tx -> tx.query("SELECT id FROM groups WHERE role = 'MANAGER' ORDER BY created_at",
                rs -> new GroupId(Bytes.wrap(rs.getBytes(1)))));
    }

    /**
     * Counts a message seen in the current epoch (for rotate-after-messages); one UPDATE, no state parse. When the
     * count reaches the policy's limit the group is due for the sweep.
     */
    void countMessage(Transaction tx, GroupRecord g, long epoch) throws SQLException {
        if (g.role() != GroupRecord.Role.MANAGER) {
            return;
        }
        int counted = tx.update("UPDATE groups SET messages_in_epoch = messages_in_epoch + 1 WHERE id = ? AND epoch = ?",
                g.id().bytes(), epoch);
        long limit = g.head().map(h -> h.state().policy().rotateAfterMessages()).orElse(0L);
        if (counted == 1 && limit > 0) {
            long n = tx.queryOne("SELECT messages_in_epoch FROM groups WHERE id = ?", rs -> rs.getLong(1),
                    g.id().bytes()).orElse(0L);
            if (n >= limit) {
                tx.afterCommit(() -> schedule.offer(g.id(), ctx.clock().instant()));
            }
        }
    }

    private GroupRecord managed(Transaction tx, GroupId id) throws SQLException {
        GroupRecord g = GroupRepository.find(tx, id)
                .orElseThrow(() -> new UserError(UserError.Kind.NOT_FOUND, "no such group"));
        if (g.role() != GroupRecord.Role.MANAGER) {
            throw new UserError(UserError.Kind.CONFLICT, "this node is not the group's manager");
        }
        return g;
    }

    private static ManagerEngine.Session session(GroupRecord g) throws SQLException {
        GroupState pendingState;
        try {
            pendingState = GroupChain.applyChanges(g.head().orElseThrow().state(), g.pending());
        } catch (org.hearth.core.wire.MalformedMessageException e) {
            throw new SQLException("stored pending changes no longer apply", e);
        }
        return new ManagerEngine.Session(g.head().orElseThrow(), g.pending(), pendingState, g.epochStartedAt(),
                g.messagesInEpoch(), g.rotationRequested());
    }

    private static GroupRecord withSession(GroupRecord g, ManagerEngine.Session s) {
        return new GroupRecord(g.id(), g.name(), g.manager(), g.role(), g.status(), g.permission(), Optional.of(s.head()),
                s.epochStartedAt(), s.messagesInEpoch(), s.pending(), s.rotationRequested());
    }

    private static ByteString bs(Bytes b) {
        return ByteString.copyFrom(b.toByteArray());
    }
}
