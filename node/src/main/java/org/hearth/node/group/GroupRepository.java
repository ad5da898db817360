package org.hearth.node.group;

import com.google.protobuf.InvalidProtocolBufferException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
import org.hearth.core.wire.proto.GroupStateProto;
import org.hearth.core.wire.proto.GroupUpdateBody;
import org.hearth.core.wire.proto.SignedUpdate;
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

    /** Writes everything but the identity columns. */
    static void save(Transaction tx, GroupRecord g) throws SQLException {
        byte[] state = g.head().map(h -> h.state().encoded()).orElse(null);
        byte[] head = g.head().map(h -> h.update().signed().toByteArray()).orElse(null);
        tx.update("UPDATE groups SET status = ?, permission = ?, state = ?, head = ?, epoch = ?, epoch_started_at = ?,"
                + " messages_in_epoch = ?, pending = ?, rotation_requested = ? WHERE id = ?",
                g.status().name(), g.permission().name(),
                state, head, g.epoch(),
                g.epochStartedAt().toEpochMilli(), g.messagesInEpoch(),
                GroupUpdateBody.newBuilder().addAllChanges(g.pending()).build().toByteArray(),
                g.rotationRequested(), g.id().bytes());
        if (state != null) {
            remember(state, head, g.head().get()); // the next read of this row need not parse what we just wrote
        }
    }

    static Optional<GroupRecord> find(Transaction tx, GroupId id) throws SQLException {
        return tx.queryOne("SELECT " + GROUP_COLUMNS + " FROM groups WHERE id = ?", GroupRepository::read, id.bytes());
    }

    static List<GroupRecord> all(Transaction tx) throws SQLException {
        return tx.query("SELECT " + GROUP_COLUMNS + " FROM groups ORDER BY created_at", GroupRepository::read);
    }

    /** The groups this node holds in one role (a manager of many groups lists its few memberships cheaply). */
    static List<GroupRecord> withRole(Transaction tx, GroupRecord.Role role) throws SQLException {
        return tx.query("SELECT " + GROUP_COLUMNS + " FROM groups WHERE role = ? ORDER BY created_at",
                GroupRepository::read, role.name());
    }

    /** The groups in which the manager's roster has {@code member} as joined. */
    static List<GroupId> joinedGroupsOf(Transaction tx, Address member) throws SQLException {
        return tx.query("SELECT group_id FROM group_roster WHERE member = ? AND joined = 1",
                rs -> new GroupId(Bytes.wrap(rs.getBytes(1))), member.text());
    }

    private static GroupRecord read(ResultSet rs) throws SQLException {
        try {
            byte[] state = rs.getBytes(7);
            byte[] head = rs.getBytes(8);
            Optional<GroupChain.Head> h = state == null ? Optional.empty() : Optional.of(head(state, head));
            byte[] pending = rs.getBytes(11);
            return new GroupRecord(new GroupId(Bytes.wrap(rs.getBytes(1))), rs.getString(2), Address.parse(rs.getString(3)),
                    GroupRecord.Role.valueOf(rs.getString(4)), GroupRecord.Status.valueOf(rs.getString(5)),
                    Permission.valueOf(rs.getString(6)), h, Instant.ofEpochMilli(rs.getLong(9)), rs.getLong(10),
                    pending == null ? List.of() : GroupUpdateBody.parseFrom(pending).getChangesList(),
                    rs.getInt(12) == 1);
        } catch (InvalidProtocolBufferException | MalformedMessageException | InvalidAddressException e) {
            throw new SQLException("corrupt group row: " + e.getMessage(), e);
        }
    }

    /** A stored head and its state, as read, and what they parse to (immutable, so it can be shared). */
    private record ParsedHead(byte[] state, byte[] head, GroupChain.Head parsed) {
    }

    private static final int PARSED_HEADS = 64;
    /**
     * Heads by their stored bytes. Every node's maintenance reads its groups twice a second, and the state of a
     * large group costs far more to parse (a protobuf, a sorted member map) than to compare with the bytes it
     * came from. A hit needs both byte strings equal, so it returns exactly what parsing them would.
     */
    private static final Map<Integer, ParsedHead> HEADS = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, ParsedHead> eldest) {
            return size() > PARSED_HEADS;
        }
    };

    private static GroupChain.Head head(byte[] state, byte[] head)
            throws InvalidProtocolBufferException, MalformedMessageException {
        int key = 31 * Arrays.hashCode(state) + Arrays.hashCode(head);
        ParsedHead hit;
        synchronized (HEADS) {
            hit = HEADS.get(key);
        }
        if (hit != null && Arrays.equals(hit.state(), state) && Arrays.equals(hit.head(), head)) {
            return hit.parsed();
        }
        GroupChain.Head parsed = new GroupChain.Head(GroupState.fromProto(GroupStateProto.parseFrom(state)),
                GroupUpdate.parse(SignedUpdate.parseFrom(head)));
        remember(state, head, parsed);
        return parsed;
    }

    /**
     * {@code state} and {@code head} are {@code h}'s encodings ({@link GroupState#encoded()}, the signed update's
     * bytes), so parsing them gives back an equal head: kept as if they had been parsed. The arrays are the
     * caller's own copies and are not modified afterwards.
     */
    private static void remember(byte[] state, byte[] head, GroupChain.Head h) {
        int key = 31 * Arrays.hashCode(state) + Arrays.hashCode(head);
        synchronized (HEADS) {
            HEADS.put(key, new ParsedHead(state, head, h));
        }
    }

    // ---- the log ----

    /** Records an accepted update with the state it produced (for per-epoch permission checks). */
    static void putUpdate(Transaction tx, GroupChain.Head h) throws SQLException {
        GroupUpdate u = h.update();
        tx.update("INSERT INTO group_updates(group_id, epoch, hash, signed, state) VALUES (?,?,?,?,?)"
                + " ON CONFLICT(group_id, epoch) DO NOTHING", u.groupId().bytes(), u.epoch(), u.hash(),
                u.signed().toByteArray(), h.state().encoded());
    }

    static Optional<GroupState> stateAt(Transaction tx, GroupId id, long epoch) throws SQLException {
        return tx.queryOne("SELECT state FROM group_updates WHERE group_id = ? AND epoch = ?", rs -> {
            try {
                return GroupState.fromProto(GroupStateProto.parseFrom(rs.getBytes(1)));
            } catch (InvalidProtocolBufferException | MalformedMessageException e) {
                throw new SQLException("corrupt state row", e);
            }
        }, id.bytes(), epoch);
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

    static long cursor(Transaction tx, GroupId id, String host, long epoch) throws SQLException {
        return tx.queryOne("SELECT cursor FROM group_cursors WHERE group_id = ? AND host = ? AND epoch = ?",
                rs -> rs.getLong(1), id.bytes(), host, epoch).orElse(0L);
    }

    static void setCursor(Transaction tx, GroupId id, String host, long epoch, long cursor) throws SQLException {
        tx.update("INSERT INTO group_cursors(group_id, host, epoch, cursor) VALUES (?,?,?,?) ON CONFLICT(group_id,"
                + " host, epoch) DO UPDATE SET cursor = max(cursor, excluded.cursor)", id.bytes(), host, epoch, cursor);
    }

    // ---- messages ----

    static boolean insertMessage(Transaction tx, GroupId id, Bytes msgId, long epoch, Address sender, String text,
            Instant sentAt, Instant receivedAt) throws SQLException {
        return tx.update(INSERT_MESSAGE, msgId, id.bytes(), epoch, sender.text(), text, sentAt.toEpochMilli(),
                receivedAt.toEpochMilli()) == 1;
    }

    private static final String INSERT_MESSAGE = "INSERT INTO group_messages(id, group_id, epoch, sender, text,"
            + " sent_at, received_at) VALUES (?,?,?,?,?,?,?) ON CONFLICT(id) DO NOTHING";

    /** {@link #insertMessage} for many messages in one transaction: the statement is prepared once. */
    static MessageInserter messageInserter(Transaction tx) throws SQLException {
        return new MessageInserter(tx.connection().prepareStatement(INSERT_MESSAGE));
    }

    static final class MessageInserter implements AutoCloseable {
        private final java.sql.PreparedStatement statement;

        private MessageInserter(java.sql.PreparedStatement statement) {
            this.statement = statement;
        }

        /** True if the message was new (ids are unique: a message is stored once). */
        boolean insert(GroupId id, Bytes msgId, long epoch, Address sender, String text, Instant sentAt,
                Instant receivedAt) throws SQLException {
            statement.setBytes(1, msgId.toByteArray());
            statement.setBytes(2, id.bytes().toByteArray());
            statement.setLong(3, epoch);
            statement.setString(4, sender.text());
            statement.setString(5, text);
            statement.setLong(6, sentAt.toEpochMilli());
            statement.setLong(7, receivedAt.toEpochMilli());
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
