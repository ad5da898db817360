package org.hearth.app.demo;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.group.GroupId;
import org.hearth.core.group.GroupUpdate;
import org.hearth.core.group.ManagerEngine;
import org.hearth.core.identity.HostPort;
import org.hearth.core.wire.MessageId;
import org.hearth.core.wire.WireCodec;
import org.hearth.core.wire.proto.EpochDelivery;
import org.hearth.core.wire.proto.GroupUpdateBody;
import org.hearth.core.wire.proto.PeerMessage;
import org.hearth.node.Node;
import org.hearth.node.group.GroupRecord;
import org.hearth.node.transport.Connection;
import org.hearth.node.transport.Transport;
import org.hearth.node.transport.TransportFactory;

/**
 * The demo's misbehaving manager: with the bot's own identity key it signs a second update for an epoch the
 * victim already holds, and sends it to the victim alone over a channel of its own. Nothing in a user's
 * node does this; it shows what members do when it happens.
 */
final class SplitAttempt {
    private SplitAttempt() {
    }

    /** {@code transport} and {@code scratch} give the rogue its own way to the victim (over Tor: its own tor). */
    static void run(Node bot, Node victim, GroupId group, TransportFactory transport, Path scratch) throws Exception {
        GroupRecord held = victim.groups().group(group);
        GroupUpdate real = held.head().orElseThrow().update();
        GroupUpdate forged = GroupUpdate.sign(bot.identity(), GroupUpdateBody.newBuilder()
                .setGroupId(ByteString.copyFrom(group.bytes().toByteArray())).setEpoch(real.epoch())
                .setPrevHash(ByteString.copyFrom(real.prevHash().toByteArray()))
                .setStateDigest(ByteString.copyFrom(real.stateDigest().toByteArray()))
                .addChanges(ManagerEngine.setPermission(victim.address(), org.hearth.core.group.Permission.READ))
                .setTimeMs(Instant.now().toEpochMilli()).build());
        RandomSource random = RandomSource.secure();
        MessageId item = MessageId.random(random);
        PeerMessage m = PeerMessage.newBuilder().setVersion(WireCodec.VERSION).setEpochDelivery(EpochDelivery
                .newBuilder().setId(WireCodec.bytes(item.bytes())).setUpdate(forged.signed())).build();
        HostPort at = new HostPort(victim.endpoint().host(), victim.endpoint().port());
        try (Transport rogue = transport.create(bot.identity(), random, scratch);
                Connection c = rogue.dial(victim.address(), Optional.of(at))) {
            c.send(WireCodec.encode(m));
            // wait for the victim's acknowledgement: it has then committed its verdict
            while (true) {
                PeerMessage reply = WireCodec.decode(c.receive());
                if (reply.hasAck() && reply.getAck().getId().equals(WireCodec.bytes(item.bytes()))) {
                    return;
                }
            }
        }
    }
}
