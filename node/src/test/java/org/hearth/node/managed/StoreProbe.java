package org.hearth.node.managed;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.bytes.SecretBytes;
import org.hearth.core.group.EpochKey;
import org.hearth.core.group.GroupId;
import org.hearth.core.crypto.PassphraseKdf;
import org.hearth.node.store.Database;

/**
 * Reads a node's store from outside the node, through the public store API, for what the node does not expose:
 * the epoch keys a member holds (to build envelopes and tags for raw host calls, as that member's own software
 * could) and what a host has on disk. SQLite in WAL mode lets this run beside a live node: each read is its own
 * transaction and sees what the node has committed.
 */
final class StoreProbe implements AutoCloseable {
    private final Database db;

    private StoreProbe(Database db) {
        this.db = db;
    }

    /** The store alone, not the home: {@code NodeHome.open} would take the home's node lock. */
    static StoreProbe open(Path home) throws Exception {
        return new StoreProbe(Database.open(home, Cluster.PASSPHRASE.toCharArray(), PassphraseKdf.FAST));
    }

    /** The epoch keys this node holds for the group, by ascending epoch. */
    List<EpochKey> keys(GroupId g) {
        return db.read(tx -> tx.query("SELECT epoch, update_hash, key FROM group_keys WHERE group_id = ?"
                + " ORDER BY epoch", rs -> new EpochKey(g, rs.getLong(1), Bytes.wrap(rs.getBytes(2)),
                SecretBytes.adopt(rs.getBytes(3))), g.bytes()));
    }

    EpochKey key(GroupId g, long epoch) {
        return keys(g).stream().filter(k -> k.epoch() == epoch).findFirst()
                .orElseThrow(() -> new AssertionError("no key of epoch " + epoch + " in this store"));
    }

    /** How many messages of the group this node has stored. */
    long groupMessages(GroupId g) {
        return db.read(tx -> tx.queryOne("SELECT count(*) FROM group_messages WHERE group_id = ?",
                rs -> rs.getLong(1), g.bytes())).orElseThrow();
    }

    /** How many envelopes this node's host role holds under the tags. */
    long hostEnvelopes(List<Bytes> tags) {
        if (tags.isEmpty()) {
            return 0;
        }
        String in = String.join(",", Collections.nCopies(tags.size(), "?"));
        return db.read(tx -> tx.queryOne("SELECT count(*) FROM host_envelopes WHERE tag IN (" + in + ")",
                rs -> rs.getLong(1), tags.toArray())).orElseThrow();
    }

    @Override
    public void close() {
        db.close();
    }
}
