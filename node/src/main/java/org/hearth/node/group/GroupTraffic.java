package org.hearth.node.group;

import java.io.Closeable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.chat.ChatOverlay;
import org.hearth.core.group.EpochKey;
import org.hearth.core.group.GroupId;
import org.hearth.core.group.GroupMessages;
import org.hearth.core.group.GroupState;
import org.hearth.core.group.Permission;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.Endpoint;
import org.hearth.core.wire.WireCodec;
import org.hearth.core.wire.proto.FetchRequest;
import org.hearth.core.wire.proto.FetchResponse;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.hearth.core.wire.proto.HostedEnvelope;
import org.hearth.core.wire.proto.PeerMessage;
import org.hearth.core.wire.proto.RelayRequest;
import org.hearth.node.UserError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group messages between this node and the group's hosts: sealing and relaying what the user sends (kept in
 * {@code group_relays} until a host acknowledges it), and one long-polling fetch loop per group and host that
 * opens, verifies and stores what arrives, advancing a per-epoch cursor in the same transaction (each round is a
 * {@link GroupFetcher}; its progress is kept in a {@link SyncTracker}).
 */
final class GroupTraffic implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupTraffic.class);
    static final Duration RPC_TIMEOUT = Duration.ofSeconds(30);
    static final int LONG_POLL_MS = 20_000;
    /** A fetch at this node's own host: nothing on the way can time out, so it waits until woken by a relay. */
    static final int LOCAL_LONG_POLL_MS = 10 * 60_000;
    private static final Duration RETRY = Duration.ofSeconds(2);

    private final GroupContext ctx;
    private final ManagerRole manager;
    private final Map<String, Thread> loops = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> wakeups = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private final Optional<org.hearth.node.host.HostService> localHost;
    private final SyncTracker sync;
    private final GroupFetcher fetcher;

    GroupTraffic(GroupContext ctx, MemberRole member, ManagerRole manager,
            Optional<org.hearth.node.host.HostService> localHost) {
        this.localHost = localHost;
        this.ctx = ctx;
        this.manager = manager;
        this.sync = new SyncTracker(ctx.clock());
        this.fetcher = new GroupFetcher(ctx, member, manager, this::callHost, this::isLocal, sync);
    }

    /** How far this node has read the group at {@code host}; empty when no fetch loop has run for it. */
    Optional<SyncProgress> progress(GroupId id, Address host) {
        return sync.get(id, host);
    }

    // ---- sending ----

    /** Seals and stores a message, relays it, and waits up to {@code wait} for a host's acknowledgement. */
    SendOutcome send(GroupId id, String text, Duration wait) {
        ChatOverlay overlay;
        try {
            overlay = ChatOverlay.text(text);
        } catch (IllegalArgumentException e) {
            throw new UserError(UserError.Kind.INVALID, e.getMessage());
        }
        Address self = ctx.identity().address();
        record Sealed(GroupEnvelope envelope, List<Endpoint> hosts) {
        }
        Sealed sealed = ctx.write(tx -> {
            GroupRecord g = GroupRepository.find(tx, id)
                    .orElseThrow(() -> new UserError(UserError.Kind.NOT_FOUND, "no such group"));
            if (g.status() == GroupRecord.Status.REMOVED) {
                throw new UserError(UserError.Kind.CONFLICT, "removed from this group");
            }
            if (g.head().isEmpty() || g.status() != GroupRecord.Status.JOINED && g.role() != GroupRecord.Role.MANAGER) {
                throw new UserError(UserError.Kind.CONFLICT, "not joined yet (accept the invite first)");
            }
            GroupState state = g.head().get().state();
            boolean writer = state.permissionOf(self).map(Permission::canWrite).orElse(false)
                    || g.role() == GroupRecord.Role.MANAGER;
            if (!writer) {
                throw new UserError(UserError.Kind.CONFLICT, "not a writer of this group");
            }
            EpochKey key = GroupRepository.key(tx, id, g.epoch()).orElseThrow(() -> new UserError(
                    UserError.Kind.CONFLICT, "the key of the current epoch has not arrived yet; try again shortly"));
            boolean announce = !GroupRepository.sentInEpoch(tx, id, g.epoch(), self);
            GroupEnvelope env = GroupMessages.seal(ctx.identity(), key, ctx.clock().instant(),
                    GroupRepository.latestMessageIds(tx, id, 3), overlay,
                    announce ? Optional.of(g.head().get().update().signed()) : Optional.empty(), ctx.random());
            Bytes msgId = GroupMessages.id(env);
            Instant now = ctx.clock().instant();
            GroupRepository.insertMessage(tx, id, msgId, g.epoch(), self, text, now, now);
            manager.countMessage(tx, g, g.epoch()); // the manager's own posts count toward rotate-after-messages
            for (Endpoint h : state.hosts()) {
                GroupRepository.addRelay(tx, msgId, id, h.address().text(), env.toByteArray(), now);
            }
            return new Sealed(env, state.hosts());
        });
        List<CompletableFuture<Boolean>> acks = new ArrayList<>();
        for (Endpoint h : sealed.hosts()) {
            acks.add(relay(h.address(), sealed.envelope()));
        }
        return awaitAny(acks, wait) ? SendOutcome.STORED_BY_HOST : SendOutcome.QUEUED;
    }

    /** Relays one envelope; true once the host committed it. A refusal is a UserError with the host's reason. */
    private CompletableFuture<Boolean> relay(Address host, GroupEnvelope env) {
        return callHost(host, rid -> GroupContext.message().setRelayRequest(RelayRequest.newBuilder()
                .setRequestId(rid).setEnvelope(env)).build(), RPC_TIMEOUT).thenApply(resp -> {
                    if (resp.getRelayResponse().hasError()) {
                        dropRelay(host, env);
                        throw new UserError(UserError.Kind.CONFLICT, "refused by the host: "
                                + resp.getRelayResponse().getError().getMessage());
                    }
                    dropRelay(host, env);
                    return true;
                });
    }

    /**
     * The host API, whoever serves it: a peer over its channel, or this node's own host role for groups it
     * hosts itself (a node has no channel to itself).
     */
    private CompletableFuture<PeerMessage> callHost(Address host, java.util.function.LongFunction<PeerMessage> request,
            Duration timeout) {
        Address self = ctx.identity().address();
        if (!host.equals(self) || localHost.isEmpty()) {
            return ctx.rpc().call(host, request, timeout);
        }
        PeerMessage m = request.apply(0);
        org.hearth.node.host.HostService h = localHost.get();
        return switch (m.getBodyCase()) {
            case RELAY_REQUEST -> h.relay(self, m.getRelayRequest())
                    .thenApply(r -> GroupContext.message().setRelayResponse(r).build());
            case FETCH_REQUEST -> h.fetch(self, m.getFetchRequest())
                    .thenApply(r -> GroupContext.message().setFetchResponse(r).build());
            default -> throw new IllegalArgumentException("not a host call");
        };
    }

    private boolean isLocal(Address host) {
        return host.equals(ctx.identity().address()) && localHost.isPresent();
    }

    private void dropRelay(Address host, GroupEnvelope env) {
        Bytes id = GroupMessages.id(env);
        ctx.db().write(tx -> tx.update("DELETE FROM group_relays WHERE message_id = ? AND host = ?", id, host.text()));
    }

    private static boolean awaitAny(List<CompletableFuture<Boolean>> acks, Duration wait) {
        if (acks.isEmpty()) {
            return false;
        }
        try {
            return (Boolean) CompletableFuture.anyOf(acks.toArray(CompletableFuture[]::new))
                    .get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UserError u) {
                throw u;
            }
            return false; // unreachable or channel lost: the relay stays queued
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Retries relays that no host has acknowledged yet (after a restart or an outage). */
    void retryRelays() {
        for (GroupRepository.Relay r : ctx.read(GroupRepository::relays)) {
            try {
                Address host = Address.parse(r.host());
                relay(host, GroupEnvelope.parseFrom(r.envelope())).exceptionally(e -> false);
            } catch (Exception e) {
                LOG.debug("queued relay skipped: {}", e.getMessage());
            }
        }
    }

    // ---- fetching ----

    /** Starts missing fetch loops and wakes the running ones so they ask with the keys held now. */
    void refresh() {
        ensureLoops(false);
        wakeups.values().forEach(w -> w.complete(null));
    }

    /**
     * Wakes a group's running loops to ask with the keys held now (its hosts did not change: no read needed); a
     * group without a running loop gets {@link #refresh(GroupId)}.
     */
    void wake(GroupId id) {
        String prefix = id.hex() + "/";
        boolean any = false;
        for (Map.Entry<String, CompletableFuture<Void>> w : wakeups.entrySet()) {
            if (w.getKey().startsWith(prefix)) {
                w.getValue().complete(null);
                any = true;
            }
        }
        if (!any) {
            refresh(id);
        }
    }

    /** One group's loops: started if missing, woken so they ask with the keys held now. */
    void refresh(GroupId id) {
        if (closed) {
            return;
        }
        ctx.read(tx -> GroupRepository.find(tx, id)).ifPresent(this::ensureLoops);
        String prefix = id.hex() + "/";
        wakeups.forEach((k, w) -> {
            if (k.startsWith(prefix)) {
                w.complete(null);
            }
        });
    }

    /**
     * Makes sure a fetch loop runs for every (group, host) this node holds a state for, reading the groups one at a
     * time (never all of them at once). With {@code onlyGroupsWithoutLoops} (the periodic check for loops that
     * stopped) a group with any running loop is skipped unread: a group's hosts change only with an epoch or a
     * key, and those refresh its loops themselves.
     */
    void ensureLoops(boolean onlyGroupsWithoutLoops) {
        if (closed) {
            return;
        }
        java.util.Set<String> running = new java.util.HashSet<>();
        if (onlyGroupsWithoutLoops) {
            loops.keySet().forEach(k -> running.add(k.substring(0, k.indexOf('/'))));
        }
        List<GroupId> ids = ctx.read(tx -> tx.query("SELECT id FROM groups WHERE head IS NOT NULL AND status <> 'INVITED'",
                rs -> new GroupId(Bytes.wrap(rs.getBytes(1)))));
        for (GroupId id : ids) {
            if (!running.contains(id.hex())) {
                ctx.read(tx -> GroupRepository.find(tx, id)).ifPresent(this::ensureLoops);
            }
        }
    }

    private void ensureLoops(GroupRecord g) {
        if (closed || g.head().isEmpty() || g.status() == GroupRecord.Status.INVITED) {
            return;
        }
        GroupId id = g.id(); // the loop's thread captures the id, never the parsed state
        for (Endpoint h : g.head().get().state().hosts()) {
            Address host = h.address();
            String k = id.hex() + "/" + host.text();
            loops.computeIfAbsent(k, x -> Thread.ofVirtual().name("fetch").start(() -> fetchLoop(id, host, k)));
        }
    }

    private void fetchLoop(GroupId id, Address host, String loopKey) {
        try {
            while (!closed) {
                CompletableFuture<Void> wake = new CompletableFuture<>();
                wakeups.put(loopKey, wake);
                GroupFetcher.Round r = fetcher.fetchOnce(id, host, wake, () -> closed);
                if (r == GroupFetcher.Round.GONE) {
                    return; // group gone or moved away from this host
                }
                if (r == GroupFetcher.Round.WAIT) {
                    wake.completeOnTimeout(null, RETRY.toMillis(), TimeUnit.MILLISECONDS).join();
                }
            }
        } catch (RuntimeException e) {
            if (!closed) {
                LOG.warn("fetch loop stopped: {}", e.toString());
            }
        } finally {
            loops.remove(loopKey);
            wakeups.remove(loopKey);
            sync.forget(id, host);
            fetcher.forget(id, host);
        }
    }

    // ---- moving a group ----

    /**
     * After a move, the manager copies the history it can reach from the old hosts to the new ones: every
     * envelope under the tags of the keys it holds. Relays are idempotent, so a second pass a little later
     * (for messages members relayed to an old host before they saw the move) duplicates nothing.
     */
    void copyHistory(GroupId id, List<Endpoint> from, List<Endpoint> to) {
        List<Endpoint> sources = from.stream().filter(h -> !to.contains(h)).toList();
        if (sources.isEmpty()) {
            return;
        }
        Thread.ofVirtual().name("move").start(() -> {
            for (int pass = 0; pass < 2 && !closed; pass++) {
                for (Endpoint src : sources) {
                    copyFrom(id, src.address(), to);
                }
                if (pass == 0) {
                    new CompletableFuture<Void>().completeOnTimeout(null, MOVE_SECOND_PASS.toMillis(),
                            TimeUnit.MILLISECONDS).join();
                }
            }
        });
    }

    static final Duration MOVE_SECOND_PASS = Duration.ofSeconds(10);

    private void copyFrom(GroupId id, Address source, List<Endpoint> to) {
        List<EpochKey> keys = ctx.read(tx -> GroupRepository.keys(tx, id));
        for (int i = 0; i < keys.size(); i += WireCodec.MAX_FETCH_TAGS) {
            List<EpochKey> batch = keys.subList(i, Math.min(keys.size(), i + WireCodec.MAX_FETCH_TAGS));
            long cursor = 0;
            boolean more = true;
            while (more && !closed) {
                FetchRequest.Builder req = FetchRequest.newBuilder().setCursor(cursor).setLimit(WireCodec.MAX_FETCH_LIMIT)
                        .setGroupId(WireCodec.bytes(id.bytes()));
                batch.forEach(k -> req.addTags(WireCodec.bytes(k.tag())));
                FetchResponse resp;
                try {
                    resp = callHost(source, rid -> GroupContext.message().setFetchRequest(req.setRequestId(rid)).build(),
                            RPC_TIMEOUT).get(RPC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).getFetchResponse();
                } catch (ExecutionException | TimeoutException e) {
                    LOG.info("moving a group: the old host is unreachable; history it holds was not copied");
                    return;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (resp.hasError()) {
                    return;
                }
                List<CompletableFuture<Boolean>> acks = new ArrayList<>();
                for (HostedEnvelope he : resp.getEnvelopesList()) {
                    for (Endpoint dst : to) {
                        acks.add(relay(dst.address(), he.getEnvelope()).exceptionally(e -> false));
                    }
                }
                CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
                cursor = resp.getNextCursor();
                more = resp.getMore();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        wakeups.values().forEach(w -> w.complete(null));
        loops.values().forEach(Thread::interrupt);
        fetcher.close();
    }
}
