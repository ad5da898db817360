package org.hearth.core.group;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.time.Instant;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.crypto.CryptoException;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.Identity;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.proto.GroupInvite;
import org.hearth.core.wire.proto.InviteBody;

/** A verified invite: signed by the manager it names, for the invitee it names. Carries no key. */
public record Invite(GroupId groupId, String groupName, Address manager, ManagerRights rights, Address invitee,
        Permission permission, Instant time, Bytes signedBody, Bytes signature) {
    public static final String LABEL = "hearth/group-invite/v1";

    public static GroupInvite sign(Identity manager, GroupState state, Address invitee, Permission permission,
            Instant time, Bytes itemId) {
        byte[] body = InviteBody.newBuilder().setGroupId(GroupState.bs(state.id().bytes())).setGroupName(state.name())
                .setManager(GroupState.bs(manager.publicKey())).setManagerRights(state.rights().bits())
                .setInvitee(GroupState.bs(invitee.publicKey())).setPermission(permission.toProto())
                .setTimeMs(time.toEpochMilli()).build().toByteArray();
        return GroupInvite.newBuilder().setId(GroupState.bs(itemId)).setBody(ByteString.copyFrom(body))
                .setSignature(GroupState.bs(manager.sign(LABEL, body))).build();
    }

    /** Parses and verifies; {@code self} must be the invitee. */
    public static Invite verify(GroupInvite invite, Address self) throws MalformedMessageException, CryptoException {
        InviteBody b;
        try {
            b = InviteBody.parseFrom(invite.getBody());
        } catch (InvalidProtocolBufferException e) {
            throw new MalformedMessageException("invite body does not parse", e);
        }
        Address manager = GroupState.member(b.getManager());
        Address invitee = GroupState.member(b.getInvitee());
        if (invite.getSignature().size() != 64) {
            throw new MalformedMessageException("invite signature must be 64 bytes");
        }
        Bytes sig = Bytes.wrap(invite.getSignature().toByteArray());
        manager.verify(LABEL, invite.getBody().toByteArray(), sig);
        if (!invitee.equals(self)) {
            throw new MalformedMessageException("invite for another node");
        }
        try {
            GroupState.checkName(b.getGroupName());
            return new Invite(GroupId.decode(b.getGroupId()), b.getGroupName(), manager,
                    ManagerRights.fromBits(b.getManagerRights()), invitee, Permission.fromProto(b.getPermission()),
                    Instant.ofEpochMilli(b.getTimeMs()), Bytes.wrap(invite.getBody().toByteArray()), sig);
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException("bad invite: " + e.getMessage());
        }
    }
}
