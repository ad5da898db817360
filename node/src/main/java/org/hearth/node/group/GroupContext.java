package org.hearth.node.group;

import java.time.Clock;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.Identity;
import org.hearth.core.wire.WireCodec;
import org.hearth.core.wire.proto.PeerMessage;
import org.hearth.node.Changes;
import org.hearth.node.peer.Deliveries;
import org.hearth.node.peer.PeerDirectory;
import org.hearth.node.peer.PeerRpc;
import org.hearth.node.store.Database;
import org.hearth.node.store.Tx;

/** What the group roles share: one node's identity, store, clock, randomness and peer plumbing. */
record GroupContext(Identity identity, Database db, Clock clock, RandomSource random, Deliveries deliveries,
        PeerRpc rpc, PeerDirectory directory, Changes changes) {

    /** A write whose commit users can see. */
    <T> T write(Tx<T> work) {
        return db.write(tx -> {
            tx.afterCommit(changes::bump);
            return work.run(tx);
        });
    }

    <T> T read(Tx<T> work) {
        return db.read(work);
    }

    static PeerMessage.Builder message() {
        return PeerMessage.newBuilder().setVersion(WireCodec.VERSION);
    }

}
