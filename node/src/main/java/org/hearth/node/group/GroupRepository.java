package org.hearth.node.group;

import com.google.protobuf.InvalidProtocolBufferException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.bytes.SecretBytes;
import org.hearth.core.group.EpochKey;
import org.hearth.core.group.GroupChain;
import org.hearth.core.group.GroupId;
import org.hearth.core.group.GroupState;
import org.hearth.core.group.GroupUpdate;
import org.hearth.core.group.Permission;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.InvalidAddressException;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.proto.GroupUpdateBody;
import org.hearth.core.wire.proto.SignedUpdate;
import org.hearth.node.store.IdPrefix;
import org.hearth.node.store.Transaction;

/** SQL for managed groups; every method runs inside the caller's transaction. */
final class GroupRepository {
    private static final String GROUP_COLUMNS = "id, name, manager, role, status, permission, state, head,"
            + " epoch_started_at, messages_in_epoch, pending, rotation_requested";

    private GroupRepository() {
    }

    // ---- groups ----

    static void insert(Transaction tx, GroupRecord g, Instant now) throws SQLException {
        tx.update("INSERT INTO groups(id, name, manager, role, status, permission, created_at) VALUES (?,?,?,?,?,?,?)",
                g.id().bytes(), g.name(), g.manager().text(), g.role().name(), g.status().name(),
                g.permission().name(), now.toEpochMilli());
        save(tx, g);
    }

    /**
     * Writes everything but the identity columns. A manager's row keeps its head's state (its sweeps and the
     * hosted-groups listing read it without the log); a member's row keeps only the head, its state being the log's
     * ({@link #stateAt}), so a member does not rewrite the whole state in its row at every epoch.
     */
    static void save(Transaction tx, GroupRecord g) throws SQLException {
        byte[] head = g.head().map(h -> h.update().signed().toByteArray()).orElse(null);
        byte[] state = g.role() == GroupRecord.Role.MANAGER ? g.head().map(h -> h.state().encoded()).orElse(null) : null;
        tx.update("UPDATE groups SET status = ?, permission = ?, state = ?, head = ?, epoch = ?, epoch_started_at = ?,"
                + " messages_in_epoch = ?, pending = ?, rotation_requested = ? WHERE id = ?",
                g.status().name(), g.permission().name(),
                state, head, g.epoch(),
                g.epochStartedAt().toEpochMilli(), g.messagesInEpoch(),
                GroupUpdateBody.newBuilder().addAllChanges(g.pending()).build().toByteArray(),
                g.rotationRequested(), g.id().bytes());
        if (head != null) {
            // the next read of this row need not parse what we just wrote
            GroupStates.rememberHead(head, g.head().get().update());
            GroupStates.remember(g.head().get());
        }
    }

    static Optional<GroupRecord> find(Transaction tx, GroupId id) throws SQLException {
        Optional<Row> row = tx.queryOne("SELECT " + GROUP_COLUMNS + " FROM groups WHERE id = ?", Row::read, id.bytes());
        return row.isEmpty() ? Optional.empty() : Optional.of(row.get().record(tx));
    }

    static List<GroupRecord> all(Transaction tx) throws SQLException {
        return records(tx, tx.query("SELECT " + GROUP_COLUMNS + " FROM groups ORDER BY created_at", Row::read));
    }

    /** The groups this node holds in one role (a manager of many groups lists its few memberships cheaply). */
    static List<GroupRecord> withRole(Transaction tx, GroupRecord.Role role) throws SQLException {
        return records(tx, tx.query("SELECT " + GROUP_COLUMNS + " FROM groups WHERE role = ? ORDER BY created_at",
                Row::read, role.name()));
    }

    private static List<GroupRecord> records(Transaction tx, List<Row> rows) throws SQLException {
        List<GroupRecord> out = new java.util.ArrayList<>(rows.size());
        for (Row r : rows) {
            out.add(r.record(tx));
        }
        return out;
    }

    /** The groups in which the manager's roster has {@code member} as joined. */
    static List<GroupId> joinedGroupsOf(Transaction tx, Address member) throws SQLException {
        return tx.query("SELECT group_id FROM group_roster WHERE member = ? AND joined = 1",
                rs -> new GroupId(Bytes.wrap(rs.getBytes(1))), member.text());
    }

    /** A groups row as read; its head's state is looked up once the row's statement is done ({@link #record}). */
    private record Row(GroupRecord record, byte[] state, byte[] head) {
        static Row read(ResultSet rs) throws SQLException {
            try {
                byte[] pending = rs.getBytes(11);
                GroupRecord r = new GroupRecord(new GroupId(Bytes.wrap(rs.getBytes(1))), rs.getString(2),
                        Address.parse(rs.getString(3)), GroupRecord.Role.valueOf(rs.getString(4)),
                        GroupRecord.Status.valueOf(rs.getString(5)), Permission.valueOf(rs.getString(6)),
                        Optional.empty(), Instant.ofEpochMilli(rs.getLong(9)), rs.getLong(10),
                        pending == null ? List.of() : GroupUpdateBody.parseFrom(pending).getChangesList(),
                        rs.getInt(12) == 1);
                return new Row(r, rs.getBytes(7), rs.getBytes(8));
            } catch (InvalidProtocolBufferException | InvalidAddressException e) {
                throw new SQLException("corrupt group row: " + e.getMessage(), e);
            }
        }

        GroupRecord record(Transaction tx) throws SQLException {
            if (head == null) {
                return record;
            }
            GroupUpdate update = GroupStates.head(head);
            GroupState s = GroupStates.cached(record.id(), update.epoch(), update.hash());
            if (s == null) {
                s = state != null // a manager's row (or a member's row written before the log kept the states)
                        ? GroupStates.parseState(record.id(), state, update)
                        : stateAt(tx, record.id(), update.epoch())
                                .orElseThrow(() -> new SQLException("corrupt group log: no state for the head's epoch"));
            }
            if (!s.id().equals(record.id())) {
                throw new SQLException("corrupt group row: the state is another group's");
            }
            GroupRecord r = record;
            return new GroupRecord(r.id(), r.name(), r.manager(), r.role(), r.status(), r.permission(),
                    Optional.of(new GroupChain.Head(s, update)), r.epochStartedAt(), r.messagesInEpoch(), r.pending(),
                    r.rotationRequested());
        }
    }

    // ---- the log ----

    /**
     * At most this many epochs separate a state stored in the log from any later one: an epoch's state is stored
     * in full only when it starts the log, follows a gap, or this many epochs have passed since the last stored
     * state; the others are the earlier state with the epoch's (signed, stored) changes applied. A member
     * therefore writes a few hundred bytes per epoch instead of its group's whole state, and reading a state
     * that is not cached replays at most {@code SNAPSHOT_EVERY - 1} updates.
     */
    static final int SNAPSHOT_EVERY = 16;

    /** Records an accepted update and, every {@link #SNAPSHOT_EVERY} epochs or after a gap, the state it produced. */
    static void putUpdate(Transaction tx, GroupChain.Head h) throws SQLException {
        GroupUpdate u = h.update();
        boolean snapshot = !chainsToSnapshot(tx, u.groupId(), u.epoch());
        tx.update("INSERT INTO group_updates(group_id, epoch, hash, signed, state) VALUES (?,?,?,?,?)"
                + " ON CONFLICT(group_id, epoch) DO NOTHING", u.groupId().bytes(), u.epoch(), u.hash(),
                u.signed().toByteArray(), snapshot ? h.state().encoded() : null);
        GroupStates.remember(h);
    }

    /** Whether the epochs just before {@code epoch} are all stored, back to a stored state fewer than 16 ago. */
    private static boolean chainsToSnapshot(Transaction tx, GroupId id, long epoch) throws SQLException {
        List<long[]> rows = tx.query("SELECT epoch, state IS NOT NULL FROM group_updates WHERE group_id = ?"
                + " AND epoch < ? AND epoch > ? ORDER BY epoch DESC",
                rs -> new long[] {rs.getLong(1), rs.getLong(2)}, id.bytes(), epoch, epoch - SNAPSHOT_EVERY);
        long expected = epoch - 1;
        for (long[] r : rows) {
            if (r[0] != expected) {
                return false; // a gap
            }
            if (r[1] == 1) {
                return true;
            }
            expected--;
        }
        return false;
    }

    /** One row of the log, as read for {@link #stateAt}. */
    private record LogRow(long epoch, Bytes hash, byte[] signed, boolean hasState) {
    }

    /**
     * The group's state after the update of {@code epoch}, if that update is in the log: the stored state at or
     * before it with the later updates' changes applied, each result checked against its signed update's state
     * digest (the log is read as untrusted as any other stored bytes).
     */
    static Optional<GroupState> stateAt(Transaction tx, GroupId id, long epoch) throws SQLException {
        List<LogRow> rows = tx.query("SELECT epoch, hash, signed, state IS NOT NULL FROM group_updates"
                + " WHERE group_id = ? AND epoch <= ? AND epoch > ? ORDER BY epoch DESC",
                rs -> new LogRow(rs.getLong(1), Bytes.wrap(rs.getBytes(2)), rs.getBytes(3), rs.getInt(4) == 1),
                id.bytes(), epoch, epoch - SNAPSHOT_EVERY);
        if (rows.isEmpty() || rows.get(0).epoch() != epoch) {
            return Optional.empty();
        }
        GroupState state = null;
        int base = 0;
        for (; base < rows.size(); base++) {
            LogRow r = rows.get(base);
            if (r.epoch() != epoch - base) {
                throw new SQLException("corrupt group log: epoch " + (epoch - base) + " is missing");
            }
            state = GroupStates.cached(id, r.epoch(), r.hash());
            if (state == null && r.hasState()) {
                byte[] stored = tx.queryOne("SELECT state FROM group_updates WHERE group_id = ? AND epoch = ?",
                        rs -> rs.getBytes(1), id.bytes(), r.epoch()).orElseThrow();
                state = GroupStates.parseState(id, stored, logged(r));
            }
            if (state != null) {
                break;
            }
        }
        if (state == null) {
            throw new SQLException("corrupt group log: no stored state within " + SNAPSHOT_EVERY + " epochs");
        }
        for (int i = base - 1; i >= 0; i--) {
            GroupUpdate u = logged(rows.get(i));
            try {
                state = GroupChain.applyChanges(state, u.changes());
            } catch (MalformedMessageException e) {
                throw new SQLException("corrupt group log: " + e.getMessage(), e);
            }
            if (!state.digest().equals(u.stateDigest())) {
                throw new SQLException("corrupt group log: replayed state does not match epoch " + u.epoch());
            }
            GroupStates.remember(new GroupChain.Head(state, u));
        }
        return Optional.of(state);
    }

    private static GroupUpdate logged(LogRow r) throws SQLException {
        GroupUpdate u = parseUpdate(r.signed());
        if (u.epoch() != r.epoch() || !u.hash().equals(r.hash())) {
            throw new SQLException("corrupt group log: row " + r.epoch() + " holds another update");
        }
        return u;
    }

    static Optional<GroupUpdate> update(Transaction tx, GroupId id, long epoch) throws SQLException {
        return tx.queryOne("SELECT signed FROM group_updates WHERE group_id = ? AND epoch = ?",
                rs -> parseUpdate(rs.getBytes(1)), id.bytes(), epoch);
    }

    static GroupUpdate parseUpdate(byte[] b) throws SQLException {
        try {
            return GroupUpdate.parse(SignedUpdate.parseFrom(b));
        } catch (InvalidProtocolBufferException | MalformedMessageException e) {
            throw new SQLException("corrupt update row", e);
        }
    }

    // ---- keys ----

    /** Stores a key (ignored when the epoch's key is already held). */
    static boolean putKey(Transaction tx, EpochKey k) throws SQLException {
        byte[] key = k.key().reveal();
        try {
            return tx.update("INSERT INTO group_keys(group_id, epoch, update_hash, key, tag) VALUES (?,?,?,?,?)"
                    + " ON CONFLICT(group_id, epoch) DO NOTHING", k.group().bytes(), k.epoch(), k.updateHash(), key,
                    k.tag()) == 1;
        } finally {
            java.util.Arrays.fill(key, (byte) 0);
        }
    }

    static List<EpochKey> keys(Transaction tx, GroupId id) throws SQLException {
        return tx.query("SELECT epoch, update_hash, key FROM group_keys WHERE group_id = ? ORDER BY epoch",
                rs -> new EpochKey(id, rs.getLong(1), Bytes.wrap(rs.getBytes(2)), SecretBytes.adopt(rs.getBytes(3))),
                id.bytes());
    }

    static Optional<EpochKey> key(Transaction tx, GroupId id, long epoch) throws SQLException {
        return tx.queryOne("SELECT epoch, update_hash, key FROM group_keys WHERE group_id = ? AND epoch = ?",
                rs -> new EpochKey(id, rs.getLong(1), Bytes.wrap(rs.getBytes(2)), SecretBytes.adopt(rs.getBytes(3))),
                id.bytes(), epoch);
    }

    /** Marks when an epoch ended (its successor started): retention counts from then. */
    static void endEpochsBefore(Transaction tx, GroupId id, long epoch, Instant at) throws SQLException {
        tx.update("UPDATE group_keys SET ended_at = ? WHERE group_id = ? AND epoch < ? AND ended_at IS NULL",
                at.toEpochMilli(), id.bytes(), epoch);
    }

    /** When the earliest kept key of an ended epoch ended, if any. */
    static Optional<Instant> earliestEnded(Transaction tx, GroupId id) throws SQLException {
        List<Optional<Instant>> rows = tx.query(
                "SELECT MIN(ended_at) FROM group_keys WHERE group_id = ? AND ended_at IS NOT NULL", rs -> {
                    long at = rs.getLong(1);
                    return rs.wasNull() ? Optional.<Instant>empty() : Optional.of(Instant.ofEpochMilli(at));
                }, id.bytes());
        return rows.isEmpty() ? Optional.empty() : rows.get(0);
    }

    static int deleteKeysEndedBefore(Transaction tx, GroupId id, Instant before) throws SQLException {
        return tx.update("DELETE FROM group_keys WHERE group_id = ? AND ended_at IS NOT NULL AND ended_at <= ?",
                id.bytes(), before.toEpochMilli());
    }

    // ---- cursors per host and epoch ----

    /** Every epoch's cursor at {@code host} (epochs without one are not in the map: their cursor is 0). */
    static java.util.Map<Long, Long> cursors(Transaction tx, GroupId id, String host) throws SQLException {
        java.util.Map<Long, Long> out = new java.util.HashMap<>();
        tx.query("SELECT epoch, cursor FROM group_cursors WHERE group_id = ? AND host = ?", rs -> {
            out.put(rs.getLong(1), rs.getLong(2));
            return null;
        }, id.bytes(), host);
        return out;
    }

    static void setCursor(Transaction tx, GroupId id, String host, long epoch, long cursor) throws SQLException {
        tx.update("INSERT INTO group_cursors(group_id, host, epoch, cursor) VALUES (?,?,?,?) ON CONFLICT(group_id,"
                + " host, epoch) DO UPDATE SET cursor = max(cursor, excluded.cursor)", id.bytes(), host, epoch, cursor);
    }

    // ---- messages ----

    static boolean insertMessage(Transaction tx, GroupId id, Bytes msgId, long epoch, Address sender, String text,
            Instant sentAt, Instant receivedAt) throws SQLException {
        return tx.update(INSERT_MESSAGE, msgId, IdPrefix.of(msgId), id.bytes(), epoch, sender.text(), text,
                sentAt.toEpochMilli(), receivedAt.toEpochMilli()) == 1;
    }

    /**
     * Inserts unless a message with the same whole id is stored: the index is on the id's first 8 bytes ({@link
     * IdPrefix}, schema version 6), not unique, so the check is part of the inserting statement; writes are serial,
     * so a message is stored once.
     */
    static final String INSERT_MESSAGE = "INSERT INTO group_messages(id, id_prefix, group_id, epoch, sender, text,"
            + " sent_at, received_at) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8 WHERE NOT EXISTS (SELECT 1 FROM"
            + " group_messages WHERE id_prefix = ?2 AND id = ?1)";

    /** {@link #insertMessage} for many messages in one transaction: the statement is prepared once. */
    static MessageInserter messageInserter(Transaction tx) throws SQLException {
        return new MessageInserter(tx.connection().prepareStatement(INSERT_MESSAGE));
    }

    static final class MessageInserter implements AutoCloseable {
        private final java.sql.PreparedStatement statement;

        private MessageInserter(java.sql.PreparedStatement statement) {
            this.statement = statement;
        }

        /** True if the message was new (a message is stored once by its id). */
        boolean insert(GroupId id, Bytes msgId, long epoch, Address sender, String text, Instant sentAt,
                Instant receivedAt) throws SQLException {
            statement.setBytes(1, msgId.toByteArray());
            statement.setLong(2, IdPrefix.of(msgId));
            statement.setBytes(3, id.bytes().toByteArray());
            statement.setLong(4, epoch);
            statement.setString(5, sender.text());
            statement.setString(6, text);
            statement.setLong(7, sentAt.toEpochMilli());
            statement.setLong(8, receivedAt.toEpochMilli());
            return statement.executeUpdate() == 1;
        }

        @Override
        public void close() throws SQLException {
            statement.close();
        }
    }

    /** Messages stored for a group: a count, for progress (cheaper than reading them). */
    static long messageCount(Transaction tx, GroupId id) throws SQLException {
        return tx.queryOne("SELECT count(*) FROM group_messages WHERE group_id = ?", rs -> rs.getLong(1), id.bytes())
                .orElse(0L);
    }

    static List<GroupMessageView> messages(Transaction tx, GroupId id) throws SQLException {
        return tx.query("SELECT id, sender, text, sent_at, epoch FROM group_messages WHERE group_id = ? ORDER BY seq",
                rs -> new GroupMessageView(Bytes.wrap(rs.getBytes(1)), address(rs.getString(2)), rs.getString(3),
                        Instant.ofEpochMilli(rs.getLong(4)), rs.getLong(5)), id.bytes());
    }

    static List<Bytes> latestMessageIds(Transaction tx, GroupId id, int n) throws SQLException {
        return tx.query("SELECT id FROM group_messages WHERE group_id = ? ORDER BY seq DESC LIMIT ?",
                rs -> Bytes.wrap(rs.getBytes(1)), id.bytes(), n);
    }

    static boolean sentInEpoch(Transaction tx, GroupId id, long epoch, Address sender) throws SQLException {
        return tx.queryOne("SELECT 1 FROM group_messages WHERE group_id = ? AND epoch = ? AND sender = ? LIMIT 1",
                rs -> true, id.bytes(), epoch, sender.text()).isPresent();
    }

    // ---- relays waiting for a host's acknowledgement ----

    record Relay(long seq, Bytes messageId, GroupId group, String host, byte[] envelope) {
    }

    static void addRelay(Transaction tx, Bytes messageId, GroupId id, String host, byte[] envelope, Instant now)
            throws SQLException {
        tx.update("INSERT INTO group_relays(message_id, group_id, host, envelope, created_at) VALUES (?,?,?,?,?)"
                + " ON CONFLICT(message_id, host) DO NOTHING", messageId, id.bytes(), host, envelope, now.toEpochMilli());
    }

    static List<Relay> relays(Transaction tx) throws SQLException {
        return tx.query("SELECT seq, message_id, group_id, host, envelope FROM group_relays ORDER BY seq",
                rs -> new Relay(rs.getLong(1), Bytes.wrap(rs.getBytes(2)), new GroupId(Bytes.wrap(rs.getBytes(3))),
                        rs.getString(4), rs.getBytes(5)));
    }

    /** The group moved: messages not yet acknowledged by the old hosts go to the new ones. */
    static void retargetRelays(Transaction tx, GroupId id, List<org.hearth.core.identity.Endpoint> hosts)
            throws SQLException {
        List<Relay> pending = tx.query("SELECT seq, message_id, group_id, host, envelope FROM group_relays"
                + " WHERE group_id = ?", rs -> new Relay(rs.getLong(1), Bytes.wrap(rs.getBytes(2)),
                        new GroupId(Bytes.wrap(rs.getBytes(3))), rs.getString(4), rs.getBytes(5)), id.bytes());
        tx.update("DELETE FROM group_relays WHERE group_id = ?", id.bytes());
        for (Relay r : pending) {
            for (org.hearth.core.identity.Endpoint h : hosts) {
                addRelay(tx, r.messageId(), id, h.address().text(), r.envelope(), Instant.ofEpochMilli(0));
            }
        }
    }

    static void deleteRelay(Transaction tx, long seq) throws SQLException {
        tx.update("DELETE FROM group_relays WHERE seq = ?", seq);
    }

    // ---- alarms and proofs ----

    static void alarm(Transaction tx, GroupId id, String kind, String detail, Instant at) throws SQLException {
        tx.update("INSERT INTO group_alarms(group_id, kind, detail, at) VALUES (?,?,?,?)", id.bytes(), kind, detail,
                at.toEpochMilli());
    }

    static List<GroupAlarm> alarms(Transaction tx, GroupId id) throws SQLException {
        return tx.query("SELECT kind, detail, at FROM group_alarms WHERE group_id = ? ORDER BY seq",
                rs -> new GroupAlarm(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3))), id.bytes());
    }

    static void proof(Transaction tx, GroupId id, long epoch, Address manager, SignedUpdate a, SignedUpdate b,
            Instant at) throws SQLException {
        tx.update("INSERT INTO group_proofs(group_id, epoch, manager, first, second, at) VALUES (?,?,?,?,?,?)",
                id.bytes(), epoch, manager.text(), a.toByteArray(), b.toByteArray(), at.toEpochMilli());
    }

    static List<GroupProof> proofs(Transaction tx, GroupId id) throws SQLException {
        return tx.query("SELECT epoch, manager, first, second FROM group_proofs WHERE group_id = ? ORDER BY seq",
                rs -> new GroupProof(rs.getLong(1), address(rs.getString(2)), rs.getBytes(3), rs.getBytes(4)),
                id.bytes());
    }

    // ---- manager's roster: who was added when, who joined ----

    static void rosterAdd(Transaction tx, GroupId id, Address member, long addedEpoch) throws SQLException {
        tx.update("INSERT INTO group_roster(group_id, member, added_epoch) VALUES (?,?,?) ON CONFLICT(group_id, member)"
                + " DO UPDATE SET added_epoch = excluded.added_epoch, joined = 0", id.bytes(), member.text(), addedEpoch);
    }

    static void rosterJoined(Transaction tx, GroupId id, Address member) throws SQLException {
        tx.update("UPDATE group_roster SET joined = 1 WHERE group_id = ? AND member = ?", id.bytes(), member.text());
    }

    static void rosterRemove(Transaction tx, GroupId id, Address member) throws SQLException {
        tx.update("DELETE FROM group_roster WHERE group_id = ? AND member = ?", id.bytes(), member.text());
    }

    record RosterEntry(Address member, long addedEpoch, boolean joined) {
    }

    static Optional<RosterEntry> roster(Transaction tx, GroupId id, Address member) throws SQLException {
        return tx.queryOne("SELECT member, added_epoch, joined FROM group_roster WHERE group_id = ? AND member = ?",
                rs -> new RosterEntry(address(rs.getString(1)), rs.getLong(2), rs.getInt(3) == 1), id.bytes(),
                member.text());
    }

    static List<RosterEntry> joined(Transaction tx, GroupId id) throws SQLException {
        return tx.query("SELECT member, added_epoch, joined FROM group_roster WHERE group_id = ? AND joined = 1",
                rs -> new RosterEntry(address(rs.getString(1)), rs.getLong(2), true), id.bytes());
    }

    private static Address address(String s) throws SQLException {
        try {
            return Address.parse(s);
        } catch (InvalidAddressException e) {
            throw new SQLException("corrupt address", e);
        }
    }
}
