package org.hearth.node.group;

import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.bytes.SecretBytes;
import org.hearth.core.crypto.CryptoException;
import org.hearth.core.group.EpochKey;
import org.hearth.core.group.GroupChain;
import org.hearth.core.group.GroupId;
import org.hearth.core.group.GroupState;
import org.hearth.core.group.GroupSyncParts;
import org.hearth.core.group.GroupUpdate;
import org.hearth.core.group.Invite;
import org.hearth.core.identity.Address;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.MessageId;
import org.hearth.core.wire.WireCodec;
import org.hearth.core.wire.proto.EpochDelivery;
import org.hearth.core.wire.proto.GroupInvite;
import org.hearth.core.wire.proto.GroupJoin;
import org.hearth.core.wire.proto.GroupSync;
import org.hearth.core.wire.proto.GroupSyncPart;
import org.hearth.core.wire.proto.KeyCatchupRequest;
import org.hearth.core.wire.proto.SignedUpdate;
import org.hearth.node.UserError;
import org.hearth.node.store.Transaction;

/**
 * The member role: takes invites, joins, and follows the group's log. Every update is checked by
 * {@link GroupChain} before it changes anything; refusals are counted as alarms, two signed updates for one
 * epoch are kept as a proof. Keys are stored bound to their update and deleted after the retention window.
 */
final class MemberRole {
    private final GroupContext ctx;
    /**
     * Called with a group whose keys or state changed (and whether its hosts may have): its fetch loops ask again,
     * and loops start for new hosts.
     */
    private final java.util.function.BiConsumer<GroupId, Boolean> keysChanged;
    /** Incomplete large syncs: one per group, 8 MiB in all, dropped after 2 minutes (protocol §6.1). */
    private final GroupSyncParts.Assembler assembler = new GroupSyncParts.Assembler(8L * 1024 * 1024,
            java.time.Duration.ofMinutes(2));

    MemberRole(GroupContext ctx, java.util.function.BiConsumer<GroupId, Boolean> keysChanged) {
        this.ctx = ctx;
        this.keysChanged = keysChanged;
    }

    /** An invite from its manager, over the manager's own channel. */
    void onInvite(Address from, GroupInvite m) throws MalformedMessageException {
        Invite invite;
        try {
            invite = Invite.verify(m, ctx.identity().address());
        } catch (CryptoException e) {
            throw new MalformedMessageException("invite signature invalid");
        }
        if (!invite.manager().equals(from)) {
            throw new MalformedMessageException("invite relayed by a node that is not its manager");
        }
        GroupId autoAccept = ctx.write(tx -> {
            hiddenContact(tx, invite.manager(), org.hearth.node.contacts.ContactKind.MANAGER);
            Optional<GroupRecord> g = GroupRepository.find(tx, invite.groupId());
            if (g.isEmpty()) {
                GroupRepository.insert(tx, new GroupRecord(invite.groupId(), invite.groupName(), invite.manager(),
                        GroupRecord.Role.MEMBER, GroupRecord.Status.INVITED, invite.permission(), Optional.empty(),
                        ctx.clock().instant(), 0, List.of(), false), ctx.clock().instant());
                return false;
            } else if (g.get().status() == GroupRecord.Status.REMOVED) {
                GroupRepository.save(tx, g.get().with(GroupRecord.Status.INVITED)); // re-added
            } else if (g.get().status() == GroupRecord.Status.REQUESTED && g.get().manager().equals(from)) {
                GroupRepository.save(tx, g.get().with(GroupRecord.Status.INVITED));
                return true; // we asked for this group: accept its invite at once
            }
            return false;
        }) ? invite.groupId() : null;
        if (autoAccept != null) {
            accept(autoAccept);
        }
    }

    /** Asks {@code manager} (an accepted contact of ours) to create and run a group with us as its writer. */
    void request(GroupId id, String name, Address manager, String host) {
        ctx.write(tx -> {
            GroupRepository.insert(tx, new GroupRecord(id, name, manager, GroupRecord.Role.MEMBER,
                    GroupRecord.Status.REQUESTED, org.hearth.core.group.Permission.WRITE, Optional.empty(),
                    ctx.clock().instant(), 0, List.of(), false), ctx.clock().instant());
            MessageId itemId = MessageId.random(ctx.random());
            ctx.deliveries().enqueue(tx.connection(), manager, itemId, GroupContext.message().setGroupCreateRequest(
                    org.hearth.core.wire.proto.GroupCreateRequest.newBuilder().setId(WireCodec.bytes(itemId.bytes()))
                            .setGroupId(WireCodec.bytes(id.bytes())).setName(name).setHost(host)).build());
            return null;
        });
        ctx.deliveries().kick(manager);
    }

    /** Managers and hosts are contacts of their own kind, hidden from the contact list unless asked. */
    private void hiddenContact(Transaction tx, Address who, org.hearth.node.contacts.ContactKind kind)
            throws SQLException {
        if (org.hearth.node.contacts.ContactRepository.find(tx.connection(), who).isEmpty()) {
            org.hearth.node.contacts.ContactRepository.upsert(tx.connection(), new org.hearth.node.contacts.Contact(who,
                    kind.wire(), kind, org.hearth.node.contacts.ContactStatus.ACCEPTED, Optional.empty(),
                    ctx.clock().instant()));
        }
    }

    void accept(GroupId id) {
        Address manager = ctx.write(tx -> {
            GroupRecord g = GroupRepository.find(tx, id)
                    .orElseThrow(() -> new UserError(UserError.Kind.NOT_FOUND, "no invite for that group"));
            if (g.status() != GroupRecord.Status.INVITED && g.status() != GroupRecord.Status.JOINING) {
                throw new UserError(UserError.Kind.CONFLICT, "already " + g.status().name().toLowerCase() + " in that group");
            }
            GroupRepository.save(tx, g.with(GroupRecord.Status.JOINING));
            MessageId itemId = MessageId.random(ctx.random());
            ctx.deliveries().enqueue(tx.connection(), g.manager(), itemId, GroupContext.message().setGroupJoin(
                    GroupJoin.newBuilder().setId(WireCodec.bytes(itemId.bytes())).setGroupId(WireCodec.bytes(id.bytes())))
                    .build());
            return g.manager();
        });
        ctx.deliveries().kick(manager);
    }

    /** Full state from the manager (after joining, or a catch-up answer). */
    void onSync(Address from, GroupSync m) throws MalformedMessageException {
        GroupState snapshot = GroupState.fromProto(m.getState());
        GroupUpdate head = GroupUpdate.parse(m.getHead());
        ctx.write(tx -> {
            Optional<GroupRecord> found = GroupRepository.find(tx, snapshot.id());
            if (found.isEmpty() || !found.get().manager().equals(from) || found.get().role() != GroupRecord.Role.MEMBER) {
                return null; // not a group we were invited to by this manager
            }
            GroupRecord g = found.get();
            if (g.head().isPresent() && g.head().get().epoch() > head.epoch()) {
                storeKeys(tx, g, m); // stale head, but keys for what we hold are still welcome
                return null;
            }
            if (m.hasBase() && adoptHistory(tx, g, m, head)) {
                storeKeys(tx, GroupRepository.find(tx, g.id()).orElseThrow(), m);
                return null;
            }
            GroupChain.Verdict v = GroupChain.adopt(snapshot, head, g.id(), g.manager());
            if (v instanceof GroupChain.Accepted a) {
                boolean member = a.head().state().members().containsKey(ctx.identity().address());
                GroupRecord next = new GroupRecord(g.id(), a.head().state().name(), g.manager(), g.role(),
                        member ? GroupRecord.Status.JOINED : GroupRecord.Status.REMOVED,
                        a.head().state().permissionOf(ctx.identity().address()).orElse(g.permission()),
                        Optional.of(a.head()), head.time(), 0, List.of(), false);
                GroupRepository.save(tx, next);
                GroupRepository.putUpdate(tx, a.head());
                storeKeys(tx, next, m);
                for (org.hearth.core.identity.Endpoint h : a.head().state().hosts()) {
                    org.hearth.node.peer.PeerDirectory.remember(tx, h);
                    hiddenContact(tx, h.address(), org.hearth.node.contacts.ContactKind.HOST);
                }
            } else if (v instanceof GroupChain.Refused r) {
                GroupRepository.alarm(tx, g.id(), "refused-" + r.reason().name().toLowerCase(), r.detail(),
                        ctx.clock().instant());
            }
            return null;
        });
        keysChanged.accept(snapshot.id(), true);
    }

    /**
     * One part of a sync too large for one message (protocol §6.1). Parts are kept in memory only, for a group
     * this node was invited to by the sender, and acknowledged only once the whole sync is handled (or refused as
     * a whole): a crash or a dropped assembly leaves them queued at the manager, which sends them again.
     */
    void onSyncPart(Address from, GroupSyncPart p) throws MalformedMessageException {
        WireCodec.checkGroupSyncPart(p);
        GroupId group = new GroupId(Bytes.wrap(p.getGroupId().toByteArray()));
        boolean ours = ctx.read(tx -> GroupRepository.find(tx, group)).map(g -> g.role() == GroupRecord.Role.MEMBER
                && g.manager().equals(from)).orElse(false);
        if (!ours) {
            ack(from, List.of(WireCodec.id(p.getId()))); // not a group we were invited to by this node: as onSync
            return;
        }
        GroupSyncParts.Offer offer;
        synchronized (assembler) {
            offer = assembler.offer(p, ctx.clock().instant());
        }
        switch (offer) {
            case GroupSyncParts.Kept k -> {
            }
            case GroupSyncParts.Refused r -> {
                ack(from, r.release());
                throw new MalformedMessageException(r.reason());
            }
            case GroupSyncParts.Complete c -> {
                try {
                    onSync(from, c.whole());
                } catch (MalformedMessageException e) {
                    ack(from, c.ids().stream().filter(id -> !id.bytes().equals(Bytes.wrap(p.getId().toByteArray())))
                            .toList());
                    throw e;
                }
                ack(from, c.ids()); // the sync is committed: now the manager may forget every part
            }
        }
    }

    private void ack(Address to, List<MessageId> ids) {
        for (MessageId id : ids) {
            ctx.deliveries().sendNow(to, GroupContext.message().setAck(org.hearth.core.wire.proto.Ack.newBuilder()
                    .setId(WireCodec.bytes(id.bytes()))).build());
        }
    }

    /**
     * Since-join for a member added before the head: adopt the state of the epoch it was added in, then apply
     * every update to the head through the chain rules, storing each verified epoch. False (nothing stored)
     * unless the history checks out and ends at the sync's head.
     */
    private boolean adoptHistory(Transaction tx, GroupRecord g, GroupSync m, GroupUpdate head) throws SQLException {
        GroupChain.Head at;
        try {
            GroupChain.Verdict v = GroupChain.adopt(GroupState.fromProto(m.getBaseState()), GroupUpdate.parse(m.getBase()),
                    g.id(), g.manager());
            if (!(v instanceof GroupChain.Accepted a)) {
                return false;
            }
            at = a.head();
            java.util.List<GroupChain.Head> verified = new java.util.ArrayList<>(List.of(at));
            for (SignedUpdate su : m.getChainList()) {
                GroupChain.Verdict next = GroupChain.apply(at, GroupUpdate.parse(su), e -> Optional.empty());
                if (!(next instanceof GroupChain.Accepted n)) {
                    return false;
                }
                at = n.head();
                verified.add(at);
            }
            if (!at.update().hash().equals(head.hash())) {
                return false;
            }
            for (GroupChain.Head h : verified) {
                GroupRepository.putUpdate(tx, h);
            }
        } catch (MalformedMessageException e) {
            return false;
        }
        Address self = ctx.identity().address();
        boolean member = at.state().members().containsKey(self);
        GroupRepository.save(tx, new GroupRecord(g.id(), at.state().name(), g.manager(), g.role(),
                member ? GroupRecord.Status.JOINED : GroupRecord.Status.REMOVED,
                at.state().permissionOf(self).orElse(g.permission()), Optional.of(at), head.time(), 0, List.of(),
                false));
        for (org.hearth.core.identity.Endpoint h : at.state().hosts()) {
            org.hearth.node.peer.PeerDirectory.remember(tx, h);
            hiddenContact(tx, h.address(), org.hearth.node.contacts.ContactKind.HOST);
        }
        return true;
    }

    private void storeKeys(Transaction tx, GroupRecord g, GroupSync m) throws SQLException {
        for (org.hearth.core.wire.proto.EpochKey k : m.getKeysList()) {
            Optional<GroupUpdate> u = GroupRepository.update(tx, g.id(), k.getEpoch());
            Bytes hash = Bytes.wrap(k.getUpdateHash().toByteArray());
            // a key is only taken for an update this member verified (or the head it just adopted)
            boolean known = u.map(x -> x.hash().equals(hash)).orElse(false)
                    || g.head().map(h -> h.epoch() == k.getEpoch() && h.update().hash().equals(hash)).orElse(false);
            if (known) {
                GroupRepository.putKey(tx, new EpochKey(g.id(), k.getEpoch(), hash, SecretBytes.copyOf(k.getKey().toByteArray())));
            }
        }
    }

    /** One update of the log, with its key when this member may read the epoch. */
    void onDelivery(Address from, EpochDelivery m) throws MalformedMessageException {
        GroupUpdate update = GroupUpdate.parse(m.getUpdate());
        // grouped: a manager's epoch reaches a node's channels all at once (and many nodes share a JVM in tests)
        boolean needSync = ctx.writeGrouped(tx -> {
            Optional<GroupRecord> found = GroupRepository.find(tx, update.groupId());
            if (found.isEmpty() || found.get().role() != GroupRecord.Role.MEMBER || found.get().head().isEmpty()) {
                return false;
            }
            GroupRecord g = found.get();
            if (!g.manager().equals(from)) {
                GroupRepository.alarm(tx, g.id(), "refused-forged", "update relayed by a node that is not the manager",
                        ctx.clock().instant());
                return false;
            }
            return applyUpdate(tx, g, update, m.getKey().isEmpty() ? Optional.empty()
                    : Optional.of(SecretBytes.copyOf(m.getKey().toByteArray())));
        });
        keysChanged.accept(update.groupId(), false);
        if (needSync) {
            requestCatchup(update.groupId());
        }
    }

    /** Returns whether the member fell behind (a gap) and must ask the manager for the state. */
    private boolean applyUpdate(Transaction tx, GroupRecord g, GroupUpdate update, Optional<SecretBytes> key)
            throws SQLException {
        Instant now = ctx.clock().instant();
        GroupChain.Verdict v = GroupChain.apply(g.head().orElseThrow(), update, e -> {
            try {
                return GroupRepository.update(tx, g.id(), e);
            } catch (SQLException ex) {
                throw new org.hearth.node.store.StoreException("reading the log", ex);
            }
        });
        switch (v) {
            case GroupChain.Accepted a -> {
                Address self = ctx.identity().address();
                boolean member = a.head().state().members().containsKey(self);
                GroupRecord next = new GroupRecord(g.id(), g.name(), g.manager(), g.role(),
                        member ? GroupRecord.Status.JOINED : GroupRecord.Status.REMOVED,
                        a.head().state().permissionOf(self).orElse(g.permission()), Optional.of(a.head()),
                        update.time(), 0, List.of(), false);
                GroupRepository.save(tx, next);
                GroupRepository.putUpdate(tx, a.head());
                GroupRepository.endEpochsBefore(tx, g.id(), update.epoch(), now);
                java.time.Duration retention = a.head().state().policy().keyRetention();
                if (!retention.equals(g.head().orElseThrow().state().policy().keyRetention())) {
                    tx.afterCommit(this::recheckExpiry); // keys that ended earlier may be due sooner (or later) now
                } else if (!retention.isZero()) {
                    tx.afterCommit(() -> expiryDueBy(now.plus(retention))); // the keys ended now expire then
                }
                if (member && key.isPresent()) {
                    GroupRepository.putKey(tx, new EpochKey(g.id(), update.epoch(), update.hash(), key.get()));
                }
                // the hosts were remembered when this member adopted the state; only a change of hosts needs writing
                if (!a.head().state().hosts().equals(g.head().orElseThrow().state().hosts())) {
                    tx.afterCommit(() -> keysChanged.accept(g.id(), true));
                    GroupRepository.retargetRelays(tx, g.id(), a.head().state().hosts());
                    for (org.hearth.core.identity.Endpoint h : a.head().state().hosts()) {
                        org.hearth.node.peer.PeerDirectory.remember(tx, h);
                        hiddenContact(tx, h.address(), org.hearth.node.contacts.ContactKind.HOST);
                    }
                }
                return false;
            }
            case GroupChain.Refused r when r.reason() == GroupChain.Refusal.REPLAYED -> {
                // the same update again, now with its key (catch-up): take the key, nothing else
                Optional<GroupUpdate> held = GroupRepository.update(tx, g.id(), update.epoch());
                if (key.isPresent() && held.isPresent() && held.get().hash().equals(update.hash())
                        && g.status() == GroupRecord.Status.JOINED) {
                    GroupRepository.putKey(tx, new EpochKey(g.id(), update.epoch(), update.hash(), key.get()));
                } else if (held.isEmpty() || !held.get().hash().equals(update.hash())) {
                    GroupRepository.alarm(tx, g.id(), "refused-replayed", r.detail(), now);
                }
                return false;
            }
            case GroupChain.Refused r -> {
                GroupRepository.alarm(tx, g.id(), "refused-" + r.reason().name().toLowerCase(), r.detail(), now);
                return r.reason() == GroupChain.Refusal.GAP;
            }
            case GroupChain.Equivocated e -> {
                recordProof(tx, g.id(), e);
                return false;
            }
        }
    }

    void recordProof(Transaction tx, GroupId id, GroupChain.Equivocated e) throws SQLException {
        GroupRepository.proof(tx, id, e.proof().epoch(), e.proof().manager(), e.proof().first().signed(),
                e.proof().second().signed(), ctx.clock().instant());
        GroupRepository.alarm(tx, id, "equivocation", "the manager signed two different updates for epoch "
                + e.proof().epoch(), ctx.clock().instant());
    }

    /**
     * Checks another member's head (or an update announced in a message) against ours: a different update for
     * an epoch we hold, signed by the manager, is equivocation.
     */
    void checkForeignUpdate(Transaction tx, GroupRecord g, SignedUpdate signed) throws SQLException {
        GroupUpdate theirs;
        try {
            theirs = GroupUpdate.parse(signed);
        } catch (MalformedMessageException e) {
            return;
        }
        if (!theirs.groupId().equals(g.id()) || g.head().isEmpty() || theirs.epoch() > g.epoch()) {
            return;
        }
        Optional<GroupUpdate> ours = GroupRepository.update(tx, g.id(), theirs.epoch());
        if (ours.isPresent() && !ours.get().hash().equals(theirs.hash())) {
            try {
                theirs.verifySignature(g.manager());
            } catch (CryptoException e) {
                GroupRepository.alarm(tx, g.id(), "forged-head", "a member showed an update the manager did not sign",
                        ctx.clock().instant());
                return;
            }
            recordProof(tx, g.id(), new GroupChain.Equivocated(
                    new org.hearth.core.group.EquivocationProof(g.manager(), ours.get(), theirs)));
        }
    }

    void requestCatchup(GroupId id) {
        Optional<Address> manager = ctx.write(tx -> {
            Optional<GroupRecord> g = GroupRepository.find(tx, id);
            if (g.isEmpty() || g.get().role() != GroupRecord.Role.MEMBER) {
                return Optional.<Address>empty();
            }
            MessageId itemId = MessageId.random(ctx.random());
            ctx.deliveries().enqueue(tx.connection(), g.get().manager(), itemId, GroupContext.message()
                    .setKeyCatchupRequest(KeyCatchupRequest.newBuilder().setId(WireCodec.bytes(itemId.bytes()))
                            .setGroupId(WireCodec.bytes(id.bytes()))).build());
            return Optional.of(g.get().manager());
        });
        manager.ifPresent(ctx.deliveries()::kick);
    }

    /**
     * Deletes keys whose epoch ended longer ago than the group's retention (forward secrecy). Groups this
     * node manages and hosts itself are left to {@code ManagerRole.enforceRetention}, which first drops the
     * envelopes filed under those keys' tags.
     */
    /**
     * Key expiry runs twice a second with the sweep, but a node should not touch its store for it while no key can
     * be due: a pass is skipped until {@link #nextExpiry}, the earliest instant a kept key's retention ends as the
     * last pass found it, lowered whenever an epoch ends here ({@link #expiryDueBy}, {@link #recheckExpiry}); every
     * {@link #EXPIRY_RECHECK} it runs regardless. (Before, every commit made the next sweep look, so each epoch cost
     * every member an extra read of its group.)
     */
    private static final java.time.Duration EXPIRY_RECHECK = java.time.Duration.ofMinutes(1);
    private final Object expiryLock = new Object();
    private Instant nextExpiry = Instant.MIN;

    /** A key's retention may end at {@code due}: the sweep looks then at the latest. */
    private void expiryDueBy(Instant due) {
        synchronized (expiryLock) {
            if (due.isBefore(nextExpiry)) {
                nextExpiry = due;
            }
        }
    }

    /** Makes the next sweep look for keys to expire (this node, as manager, ended an epoch; a retention changed). */
    void recheckExpiry() {
        expiryDueBy(Instant.MIN);
    }

    void expireKeys() {
        Instant now = ctx.clock().instant();
        synchronized (expiryLock) {
            if (now.isBefore(nextExpiry)) {
                return; // no kept key is due yet: no store access at all
            }
            nextExpiry = now.plus(EXPIRY_RECHECK);
        }
        Address self = ctx.identity().address();
        // only groups holding keys of ended epochs can have keys to expire: a read finds them (usually none)
        List<GroupId> candidates = ctx.read(tx -> tx.query("SELECT DISTINCT group_id FROM group_keys"
                + " WHERE ended_at IS NOT NULL", rs -> new GroupId(org.hearth.core.bytes.Bytes.wrap(rs.getBytes(1)))));
        if (candidates.isEmpty()) {
            return;
        }
        // which of them has a key due now (a read: after each new epoch this runs and, usually, finds none)
        record Due(GroupId id, java.time.Duration retention, Instant at) {
        }
        List<Due> dues = ctx.read(tx -> {
            List<Due> out = new java.util.ArrayList<>();
            for (GroupId id : candidates) {
                Optional<GroupRecord> found = GroupRepository.find(tx, id);
                if (found.isEmpty() || found.get().head().isEmpty()) {
                    continue;
                }
                GroupRecord g = found.get();
                GroupState s = g.head().get().state();
                java.time.Duration r = s.policy().keyRetention();
                boolean selfHostedManager = g.role() == GroupRecord.Role.MANAGER
                        && s.hosts().stream().anyMatch(h -> h.address().equals(self));
                if (selfHostedManager || r.isZero()) {
                    continue;
                }
                Optional<Instant> due = GroupRepository.earliestEnded(tx, id).map(e -> e.plus(r));
                due.ifPresent(at -> out.add(new Due(id, r, at)));
            }
            return out;
        });
        List<Due> dueNow = dues.stream().filter(d -> !d.at().isAfter(now)).toList();
        dues.stream().map(Due::at).filter(at -> at.isAfter(now)).min(Instant::compareTo).ifPresent(this::expiryDueBy);
        if (dueNow.isEmpty()) {
            return;
        }
        ctx.db().write(tx -> {
            for (Due d : dueNow) {
                if (GroupRepository.deleteKeysEndedBefore(tx, d.id(), now.minus(d.retention())) > 0) {
                    tx.afterCommit(ctx.changes()::bump);
                }
                GroupRepository.earliestEnded(tx, d.id()).map(e -> e.plus(d.retention())).ifPresent(this::expiryDueBy);
            }
            return null;
        });
    }
}
