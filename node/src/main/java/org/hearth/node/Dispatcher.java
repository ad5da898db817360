package org.hearth.node;

import com.google.protobuf.ByteString;
import java.util.Optional;
import org.hearth.core.identity.Address;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.WireCodec;
import org.hearth.core.wire.proto.Ack;
import org.hearth.core.wire.proto.PeerMessage;
import org.hearth.node.chat.Messenger;
import org.hearth.node.group.GroupService;
import org.hearth.node.host.HostService;
import org.hearth.node.peer.Deliveries;
import org.hearth.node.peer.PeerHandler;
import org.hearth.node.peer.PeerRpc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Routes each peer message to the role that handles it; roles this node does not run ignore theirs. */
final class Dispatcher implements PeerHandler {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    private final Messenger messenger;
    private final Optional<GroupService> groups;
    private final Optional<HostService> host;
    private final PeerRpc rpc;
    private final Deliveries deliveries;
    private final boolean chat;

    Dispatcher(Messenger messenger, Optional<GroupService> groups, Optional<HostService> host, PeerRpc rpc,
            Deliveries deliveries, boolean chat) {
        this.chat = chat;
        this.messenger = messenger;
        this.groups = groups;
        this.host = host;
        this.rpc = rpc;
        this.deliveries = deliveries;
    }

    @Override
    public void onConnected(Address peer) {
        messenger.onConnected(peer);
        groups.ifPresent(g -> g.onConnected(peer));
    }

    @Override
    public void onDisconnected(Address peer) {
        messenger.onDisconnected(peer);
        rpc.onDisconnected(peer);
    }

    @Override
    public void onMessage(Address peer, PeerMessage m) {
        PeerMessage.BodyCase c = m.getBodyCase();
        switch (c) {
            case RELAY_REQUEST -> host.ifPresent(h -> h.relay(peer, m.getRelayRequest())
                    .thenAccept(r -> deliveries.sendNow(peer, message().setRelayResponse(r).build())));
            case FETCH_REQUEST -> host.ifPresent(h -> h.fetch(peer, m.getFetchRequest())
                    .thenAccept(r -> deliveries.sendNow(peer, message().setFetchResponse(r).build())));
            case RELAY_RESPONSE -> rpc.onResponse(peer, m.getRelayResponse().getRequestId(), m);
            case FETCH_RESPONSE -> rpc.onResponse(peer, m.getFetchResponse().getRequestId(), m);
            default -> {
                if (GroupService.handles(c)) {
                    onGroupMessage(peer, m);
                } else if (chat || c == PeerMessage.BodyCase.HELLO || c == PeerMessage.BodyCase.ACK) {
                    messenger.onMessage(peer, m);
                }
            }
        }
    }

    private void onGroupMessage(Address peer, PeerMessage m) {
        if (groups.isEmpty()) {
            return;
        }
        try {
            groups.get().onMessage(peer, m).ifPresent(id -> ack(peer, id));
        } catch (MalformedMessageException e) {
            // a well-formed frame whose group content is invalid: refuse it but acknowledge, or it comes back forever
            LOG.info("refused a group message: {}", e.getMessage());
            GroupService.durableId(m).ifPresent(id -> ack(peer, id));
        }
    }

    private void ack(Address peer, ByteString id) {
        deliveries.sendNow(peer, message().setAck(Ack.newBuilder().setId(id)).build());
    }

    private static PeerMessage.Builder message() {
        return PeerMessage.newBuilder().setVersion(WireCodec.VERSION);
    }
}
