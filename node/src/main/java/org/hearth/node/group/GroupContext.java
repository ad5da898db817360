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

    /**
     * A write whose commit users can see, run by the store's group committer and awaited. The caller (a channel's
     * reader, a virtual thread) parks instead of pinning its carrier through the fsync, and writes arriving at
     * once from many channels share a commit. Returns once committed; throws what {@link #write} would.
     */
    <T> T writeGrouped(Tx<T> work) {
        try {
            return db.writeAsync(tx -> {
                tx.afterCommit(changes::bump);
                return work.run(tx);
            }).join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    <T> T read(Tx<T> work) {
        return db.read(work);
    }

    static PeerMessage.Builder message() {
        return PeerMessage.newBuilder().setVersion(WireCodec.VERSION);
    }

}
