package org.hearth.node.peer;

import org.hearth.core.identity.Address;
import org.hearth.core.wire.proto.PeerMessage;

/** What the node does with channels: called from each connection's reader thread. */
public interface PeerHandler {
    void onConnected(Address peer);

    void onMessage(Address peer, PeerMessage message);

    void onDisconnected(Address peer);
}
