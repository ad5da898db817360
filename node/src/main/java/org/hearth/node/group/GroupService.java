package org.hearth.node.group;

import java.io.Closeable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.hearth.core.group.GroupChain;
import org.hearth.core.group.GroupId;
import org.hearth.core.group.GroupPolicy;
import org.hearth.core.group.GroupState;
import org.hearth.core.group.ManagerEngine;
import org.hearth.core.group.Permission;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.Endpoint;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.proto.GroupHeads;
import org.hearth.core.wire.proto.PeerMessage;
import org.hearth.core.wire.proto.SignedUpdate;
import org.hearth.node.UserError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Managed groups on this node: the manager role for groups it manages, the member role for groups it was
 * invited to, and the traffic to their hosts. Behind the {@code managed-groups} experiment flag.
 */
public final class GroupService implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupService.class);
    private static final Duration SWEEP = Duration.ofMillis(500);
    /** Message retention at this node's host runs every 10 s, not every sweep: it scans the group's tags. */
    private static final int RETENTION_EVERY_SWEEPS = 20;
    /**
     * The fetch loops are started by the events that need them (a group created, an epoch, a key); every 60 s the
     * sweep also restarts any loop that stopped. That pass reads every group's row, so not twice a second.
     */
    private static final int LOOP_CHECK_EVERY_SWEEPS = 120;
    private long sweeps;

    private final GroupContext ctx;
    private final boolean enabled;
    private final ManagerRole manager;
    private final MemberRole member;
    private final GroupTraffic traffic;
    private final Optional<org.hearth.node.host.HostService> localHost;
    private volatile java.util.function.Supplier<Endpoint> selfEndpoint = () -> {
        throw new IllegalStateException("not started");
    };

    /** Where this node can be reached (known once it listens): the host of groups it hosts itself. */
    public void setSelfEndpoint(Endpoint e) {
        selfEndpoint = () -> e;
    }
    private final ScheduledExecutorService scheduler =
            Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("groups").factory());

    GroupService(GroupContext ctx, boolean enabled, java.util.function.Predicate<Address> online,
            Optional<org.hearth.node.host.HostService> localHost, java.util.function.Consumer<GroupId> epochIssued) {
        this.ctx = ctx;
        this.enabled = enabled;
        // a delivery wakes its group's fetch loops; a change of hosts (or a sync) also starts loops for new hosts
        this.member = new MemberRole(ctx, (g, hosts) -> {
            if (hosts) {
                refreshTraffic(g);
            } else {
                wakeTraffic(g);
            }
        });
        // after an epoch it issued, the manager's own fetch loops must ask with the new tag at once
        this.manager = new ManagerRole(ctx, online, g -> {
            epochIssued.accept(g);
            refreshTraffic(g);
            member.recheckExpiry(); // the epoch it ended holds keys that expire after the group's retention
        });
        this.traffic = new GroupTraffic(ctx, member, manager, localHost);
        this.localHost = localHost;
        manager.onHostsMoved(traffic::copyHistory);
    }

    /**
     * @param online whether a peer has a live channel now (the manager's catch-up decisions)
     * @param localHost this node's own host role, for groups it hosts itself (no channel to oneself)
     * @param epochIssued told after the manager commits a new epoch (the managed host drops cached views)
     */
    public static GroupService create(org.hearth.core.identity.Identity identity, org.hearth.node.store.Database db,
            java.time.Clock clock, org.hearth.core.crypto.RandomSource random, org.hearth.node.peer.Deliveries deliveries,
            org.hearth.node.peer.PeerRpc rpc, org.hearth.node.peer.PeerDirectory directory,
            org.hearth.node.Changes changes, boolean enabled, java.util.function.Predicate<Address> online,
            Optional<org.hearth.node.host.HostService> localHost, java.util.function.Consumer<GroupId> epochIssued) {
        return new GroupService(new GroupContext(identity, db, clock, random, deliveries, rpc, directory, changes),
                enabled, online, localHost, epochIssued);
    }

    public void start() {
        if (!enabled) {
            return;
        }
        manager.loadSchedule();
        scheduler.scheduleWithFixedDelay(this::sweep, 0, SWEEP.toMillis(), TimeUnit.MILLISECONDS);
        traffic.refresh();
        traffic.retryRelays();
    }

    /**
     * Twice a second: the managed groups that are due (and only those), key expiry, and now and then retention
     * and a check that every fetch loop runs. What an idle node does here does not grow with its groups.
     */
    synchronized List<GroupId> sweep() {
        try {
            List<GroupId> ticked = manager.tickDue();
            if (++sweeps % RETENTION_EVERY_SWEEPS == 0) {
                localHost.ifPresent(h -> manager.enforceRetention(h, ctx.identity().address()));
            }
            member.expireKeys();
            if (sweeps % LOOP_CHECK_EVERY_SWEEPS == 0) {
                traffic.ensureLoops(true);
            }
            return ticked;
        } catch (RuntimeException e) {
            LOG.warn("group maintenance failed: {}", e.toString());
            return List.of();
        }
    }

    /** When the manager next looks at a group it manages, if anything about it is timed (tests, diagnostics). */
    Optional<java.time.Instant> nextCheck(GroupId id) {
        return manager.dueAt(id);
    }

    private void refreshTraffic(GroupId g) {
        traffic.refresh(g);
    }

    private void wakeTraffic(GroupId g) {
        traffic.wake(g);
    }

    private void requireEnabled() {
        if (!enabled) {
            throw new UserError(UserError.Kind.CONFLICT, "managed groups are turned off on this node");
        }
    }

    // ---- manager commands ----

    /**
     * Creates a group this node manages. With {@code selfHosted} this node is also its host and a member
     * (writer), so it can read and post like anyone else.
     */
    public GroupId create(String name, List<Endpoint> hosts, boolean selfHosted) {
        return create(name, hosts, selfHosted, GroupPolicy.DEFAULT);
    }

    public GroupId create(String name, List<Endpoint> hosts, boolean selfHosted, GroupPolicy policy) {
        requireEnabled();
        if (hosts.isEmpty()) {
            throw new UserError(UserError.Kind.INVALID, "a group needs a host");
        }
        return create(name, hosts, selfHosted, policy, List.of());
    }

    /** A member to invite when a group is created: it is in the group's first epoch with this permission. */
    public record InitialMember(Endpoint endpoint, Permission permission) {
        public InitialMember {
            java.util.Objects.requireNonNull(endpoint, "endpoint");
            java.util.Objects.requireNonNull(permission, "permission");
        }
    }

    /**
     * Creates a group with its first members: they are all in the first epoch (one signed update, one key, one
     * transaction), and each gets its invite through the durable outbox, now or when it is next reachable.
     * Adding them one by one instead costs an epoch (or a wait for the minimum interval) per batch.
     */
    public GroupId create(String name, List<Endpoint> hosts, boolean selfHosted, GroupPolicy policy,
            List<InitialMember> members) {
        requireEnabled();
        if (hosts.isEmpty()) {
            throw new UserError(UserError.Kind.INVALID, "a group needs a host");
        }
        java.util.Map<Endpoint, Permission> initial = new java.util.LinkedHashMap<>();
        java.util.Set<Address> seen = new java.util.HashSet<>();
        for (InitialMember m : members) {
            Address a = m.endpoint().address();
            if (a.equals(ctx.identity().address())) {
                throw new UserError(UserError.Kind.INVALID,
                        "the manager is not listed as a member (a self-hosted group has it as a writer)");
            }
            if (!seen.add(a)) {
                throw new UserError(UserError.Kind.INVALID, "a member is listed twice");
            }
            initial.put(m.endpoint(), m.permission());
        }
        if (initial.size() + (selfHosted ? 1 : 0) > ManagerEngine.MAX_INITIAL_MEMBERS) {
            throw new UserError(UserError.Kind.INVALID, "a group starts with at most "
                    + ManagerEngine.MAX_INITIAL_MEMBERS + " members (add more once it exists, up to "
                    + GroupState.MAX_MEMBERS + ")");
        }
        try {
            GroupId id = manager.create(name, hosts, policy, selfHosted, initial);
            traffic.refresh(id);
            return id;
        } catch (IllegalArgumentException e) {
            throw new UserError(UserError.Kind.INVALID, e.getMessage());
        }
    }

    /**
     * Asks another node, an accepted contact, to create and manage a group with this node as its first
     * writer; the manager's invite that follows is accepted automatically. Host empty = the manager hosts it.
     */
    public GroupId requestGroup(String name, Address manager, Optional<Endpoint> host) {
        requireEnabled();
        try {
            GroupState.checkName(name);
        } catch (IllegalArgumentException e) {
            throw new UserError(UserError.Kind.INVALID, e.getMessage());
        }
        boolean contact = ctx.read(tx -> org.hearth.node.contacts.ContactRepository.find(tx.connection(), manager))
                .map(c -> c.status() == org.hearth.node.contacts.ContactStatus.ACCEPTED).orElse(false);
        if (!contact) {
            throw new UserError(UserError.Kind.CONFLICT, "the manager must be an accepted contact of yours");
        }
        GroupId id = GroupId.random(ctx.random());
        host.ifPresent(ctx.directory()::remember);
        member.request(id, name, manager, host.map(Endpoint::toString).orElse(""));
        return id;
    }

    public void add(GroupId id, Endpoint who, Permission p) {
        requireEnabled();
        ctx.directory().remember(who);
        change(id, ManagerEngine.add(who.address(), p));
    }

    public void remove(GroupId id, Address who) {
        requireEnabled();
        change(id, ManagerEngine.remove(who));
    }

    public void setPermission(GroupId id, Address who, Permission p) {
        requireEnabled();
        change(id, ManagerEngine.setPermission(who, p));
    }

    public void setPolicy(GroupId id, GroupPolicy p) {
        requireEnabled();
        change(id, ManagerEngine.setPolicy(p));
    }

    /** Moves the group to other hosts (manager): a signed update, then the manager copies the history. */
    public void move(GroupId id, List<Endpoint> to) {
        requireEnabled();
        if (to.isEmpty()) {
            throw new UserError(UserError.Kind.INVALID, "a group needs a host");
        }
        to.forEach(ctx.directory()::remember);
        change(id, ManagerEngine.setHosts(to));
    }

    public void rotate(GroupId id) {
        requireEnabled();
        manager.requestRotation(id);
        manager.tick(id);
        traffic.refresh(id);
    }

    private void change(GroupId id, org.hearth.core.wire.proto.Change c) {
        manager.propose(id, c);
        manager.tick(id);
        traffic.refresh(id);
    }

    // ---- member commands ----

    public List<GroupRecord> invites() {
        return ctx.read(GroupRepository::all).stream().filter(g -> g.status() == GroupRecord.Status.INVITED).toList();
    }

    public void accept(GroupId id) {
        requireEnabled();
        member.accept(id);
    }

    public SendOutcome send(GroupId id, String text, Duration wait) {
        requireEnabled();
        return traffic.send(id, text, wait);
    }

    // ---- views ----

    public GroupRecord group(GroupId id) {
        return ctx.read(tx -> GroupRepository.find(tx, id))
                .orElseThrow(() -> new UserError(UserError.Kind.NOT_FOUND, "no such group"));
    }

    public List<GroupRecord> groups() {
        return ctx.read(GroupRepository::all);
    }

    public List<GroupMessageView> messages(GroupId id) {
        group(id);
        return ctx.read(tx -> GroupRepository.messages(tx, id));
    }

    /** How many messages of the group this node holds (a count: cheaper than {@link #messages}). */
    public long messageCount(GroupId id) {
        group(id);
        return ctx.read(tx -> GroupRepository.messageCount(tx, id));
    }

    /**
     * How far this node has read the group at each host of its current state, in the state's order; empty for an
     * invite not accepted yet. A host whose fetch loop has not reported yet shows as connecting.
     */
    public List<SyncProgress> sync(GroupId id) {
        GroupRecord g = group(id);
        if (g.head().isEmpty() || g.status() == GroupRecord.Status.INVITED) {
            return List.of();
        }
        return g.head().get().state().hosts().stream().map(h -> traffic.progress(id, h.address())
                .orElseGet(() -> SyncProgress.connecting(h.address(), ctx.clock().instant()))).toList();
    }

    public List<GroupAlarm> alarms(GroupId id) {
        return ctx.read(tx -> GroupRepository.alarms(tx, id));
    }

    public List<GroupProof> proofs(GroupId id) {
        return ctx.read(tx -> GroupRepository.proofs(tx, id));
    }

    public List<Long> heldKeyEpochs(GroupId id) {
        return ctx.read(tx -> GroupRepository.keys(tx, id)).stream().map(k -> k.epoch()).toList();
    }

    // ---- peer events ----

    /** Whether this service handles the message type. */
    public static boolean handles(PeerMessage.BodyCase c) {
        return switch (c) {
            case GROUP_INVITE, GROUP_JOIN, EPOCH_DELIVERY, GROUP_SYNC, KEY_CATCHUP_REQUEST, GROUP_HEADS,
                    GROUP_CREATE_REQUEST, GROUP_SYNC_PART -> true;
            default -> false;
        };
    }

    /** Handles a group message; returns the durable item id to acknowledge after commit, if any. */
    public Optional<com.google.protobuf.ByteString> onMessage(Address from, PeerMessage m) throws MalformedMessageException {
        if (!enabled) {
            LOG.info("managed groups are turned off on this node; ignoring a group message");
            return durableId(m);
        }
        switch (m.getBodyCase()) {
            case GROUP_INVITE -> member.onInvite(from, m.getGroupInvite());
            case GROUP_JOIN -> manager.onJoin(from, groupId(m.getGroupJoin().getGroupId()));
            case EPOCH_DELIVERY -> member.onDelivery(from, m.getEpochDelivery());
            case GROUP_SYNC -> member.onSync(from, m.getGroupSync());
            case GROUP_SYNC_PART -> {
                member.onSyncPart(from, m.getGroupSyncPart());
                return Optional.empty(); // parts are acknowledged together, once their sync is handled
            }
            case KEY_CATCHUP_REQUEST -> manager.onCatchup(from, groupId(m.getKeyCatchupRequest().getGroupId()));
            case GROUP_HEADS -> onHeads(from, m.getGroupHeads());
            case GROUP_CREATE_REQUEST -> onCreateRequest(from, m.getGroupCreateRequest());
            default -> throw new IllegalArgumentException("not a group message");
        }
        return durableId(m);
    }

    /** The outbox item id of a durable group message, to acknowledge once it is handled (or refused). */
    public static Optional<com.google.protobuf.ByteString> durableId(PeerMessage m) {
        return switch (m.getBodyCase()) {
            case GROUP_INVITE -> Optional.of(m.getGroupInvite().getId());
            case GROUP_JOIN -> Optional.of(m.getGroupJoin().getId());
            case EPOCH_DELIVERY -> Optional.of(m.getEpochDelivery().getId());
            case GROUP_SYNC -> Optional.of(m.getGroupSync().getId());
            case GROUP_SYNC_PART -> Optional.of(m.getGroupSyncPart().getId());
            case KEY_CATCHUP_REQUEST -> Optional.of(m.getKeyCatchupRequest().getId());
            case GROUP_CREATE_REQUEST -> Optional.of(m.getGroupCreateRequest().getId());
            default -> Optional.empty();
        };
    }

    private static GroupId groupId(com.google.protobuf.ByteString b) throws MalformedMessageException {
        if (b.size() != GroupId.LENGTH) {
            throw new MalformedMessageException("group id must be 32 bytes");
        }
        return new GroupId(org.hearth.core.bytes.Bytes.wrap(b.toByteArray()));
    }

    /** A contact asks this node to run a group for it: create it (once) and invite the requester as writer. */
    private void onCreateRequest(Address from, org.hearth.core.wire.proto.GroupCreateRequest r)
            throws MalformedMessageException {
        boolean contact = ctx.read(tx -> org.hearth.node.contacts.ContactRepository.find(tx.connection(), from))
                .map(c -> c.status() == org.hearth.node.contacts.ContactStatus.ACCEPTED
                        && c.kind() == org.hearth.node.contacts.ContactKind.PERSON).orElse(false);
        GroupId id = groupId(r.getGroupId());
        if (!contact || ctx.read(tx -> GroupRepository.find(tx, id)).isPresent()) {
            LOG.info("refused a request to manage a group (not an accepted contact, or the id is taken)");
            return;
        }
        Endpoint host;
        try {
            host = r.getHost().isEmpty() ? null : Endpoint.parse(r.getHost());
        } catch (org.hearth.core.identity.InvalidAddressException | IllegalArgumentException e) {
            throw new MalformedMessageException("bad host in a group request");
        }
        List<Endpoint> hosts = List.of(host == null ? selfEndpoint.get() : host);
        hosts.forEach(ctx.directory()::remember);
        try {
            manager.create(id, r.getName(), hosts, GroupPolicy.DEFAULT, false);
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException("bad group request: " + e.getMessage());
        }
        change(id, ManagerEngine.add(from, Permission.WRITE));
    }

    /** When a peer connects: the manager may owe it the latest key; members compare heads for splits. */
    public void onConnected(Address peer) {
        if (!enabled) {
            return;
        }
        manager.onMemberConnected(peer);
        List<SignedUpdate> shared = new ArrayList<>();
        for (GroupRecord g : ctx.read(tx -> GroupRepository.withRole(tx, GroupRecord.Role.MEMBER))) {
            g.head().filter(h -> g.role() == GroupRecord.Role.MEMBER && h.state().members().containsKey(peer))
                    .ifPresent(h -> shared.add(h.update().signed()));
        }
        // at most 64 heads, and only as many as fit one message: a head that added 1000 members is ~40 KB
        GroupHeads.Builder heads = GroupHeads.newBuilder();
        int bytes = 0;
        for (SignedUpdate h : shared) {
            bytes += h.getSerializedSize() + 4;
            if (heads.getHeadsCount() == 64 || bytes > org.hearth.core.wire.WireCodec.MAX_ONE_PART_SYNC_BYTES) {
                break;
            }
            heads.addHeads(h);
        }
        if (heads.getHeadsCount() > 0) {
            ctx.deliveries().sendNow(peer, GroupContext.message().setGroupHeads(heads).build());
        }
        traffic.retryRelays();
    }

    private void onHeads(Address from, GroupHeads heads) {
        ctx.write(tx -> {
            for (SignedUpdate h : heads.getHeadsList()) {
                org.hearth.core.group.GroupUpdate u;
                try {
                    u = org.hearth.core.group.GroupUpdate.parse(h);
                } catch (MalformedMessageException e) {
                    continue;
                }
                Optional<GroupRecord> g = GroupRepository.find(tx, u.groupId());
                if (g.isPresent() && g.get().head().map(GroupChain.Head::state).map(GroupState::members)
                        .map(ms -> ms.containsKey(from)).orElse(false)) {
                    member.checkForeignUpdate(tx, g.get(), h);
                }
            }
            return null;
        });
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        traffic.close();
    }
}
