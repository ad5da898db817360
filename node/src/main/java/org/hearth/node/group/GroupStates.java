package org.hearth.node.group;

import com.google.protobuf.InvalidProtocolBufferException;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.group.GroupChain;
import org.hearth.core.group.GroupId;
import org.hearth.core.group.GroupState;
import org.hearth.core.group.GroupUpdate;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.proto.GroupStateProto;

/**
 * Parsed group heads and states, kept so that reading a group does not parse (or replay) its state again.
 *
 * <p>Every node's maintenance and every delivery reads its groups' rows, and the state of a large group costs far
 * more to parse or rebuild than to look up. A state is kept under its group, epoch and the hash of the signed
 * update that produced it, and only once its digest has been checked against that update's state digest, so a hit
 * is exactly the state a successful parse or replay of the stored rows gives. Heads are kept by their stored bytes
 * (a hit needs equal bytes). Both maps are small and bounded (least recently used out).
 */
final class GroupStates {
    private static final int KEPT = 256;

    private record Key(GroupId group, long epoch, Bytes hash) {
    }

    private record ParsedHead(byte[] bytes, GroupUpdate update) {
    }

    private static final Map<Key, GroupState> STATES = lru();
    private static final Map<Integer, ParsedHead> HEADS = lru();

    private GroupStates() {
    }

    private static <K, V> Map<K, V> lru() {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > KEPT;
            }
        };
    }

    /** Drops everything kept (tests, to read what a store holds rather than what writing it left here). */
    static void forget() {
        synchronized (STATES) {
            STATES.clear();
        }
        synchronized (HEADS) {
            HEADS.clear();
        }
    }

    /** A verified head: its state is the one its update's digest names. */
    static void remember(GroupChain.Head h) {
        Key k = new Key(h.state().id(), h.epoch(), h.update().hash());
        synchronized (STATES) {
            STATES.put(k, h.state());
        }
    }

    static GroupState cached(GroupId group, long epoch, Bytes hash) {
        synchronized (STATES) {
            return STATES.get(new Key(group, epoch, hash));
        }
    }

    /** The state a stored encoding gives for {@code update}, checked against the update's state digest. */
    static GroupState parseState(GroupId group, byte[] encoded, GroupUpdate update) throws SQLException {
        GroupState hit = cached(group, update.epoch(), update.hash());
        if (hit != null) {
            return hit;
        }
        GroupState s;
        try {
            s = GroupState.fromProto(GroupStateProto.parseFrom(encoded));
        } catch (InvalidProtocolBufferException | MalformedMessageException e) {
            throw new SQLException("corrupt group state: " + e.getMessage(), e);
        }
        if (!s.id().equals(group) || !s.digest().equals(update.stateDigest())) {
            throw new SQLException("corrupt group state: it does not match its update");
        }
        remember(new GroupChain.Head(s, update));
        return s;
    }

    /** The signed update stored as a group's head. */
    static GroupUpdate head(byte[] bytes) throws SQLException {
        int key = Arrays.hashCode(bytes);
        ParsedHead hit;
        synchronized (HEADS) {
            hit = HEADS.get(key);
        }
        if (hit != null && Arrays.equals(hit.bytes(), bytes)) {
            return hit.update();
        }
        GroupUpdate u = GroupRepository.parseUpdate(bytes);
        rememberHead(bytes, u);
        return u;
    }

    /** {@code bytes} is {@code u}'s signed encoding, the caller's own copy, not modified afterwards. */
    static void rememberHead(byte[] bytes, GroupUpdate u) {
        synchronized (HEADS) {
            HEADS.put(Arrays.hashCode(bytes), new ParsedHead(bytes, u));
        }
    }
}
