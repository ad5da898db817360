package org.hearth.core.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hearth.core.group.GroupFixture.T0;
import static org.hearth.core.group.GroupFixture.bytes32;
import static org.hearth.core.group.GroupFixture.groupId;
import static org.hearth.core.group.GroupFixture.identity;

import com.google.protobuf.ByteString;
import java.util.List;
import org.hearth.core.crypto.CryptoException;
import org.hearth.core.identity.Identity;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.proto.GroupInvite;
import org.hearth.core.wire.proto.InviteBody;
import org.junit.jupiter.api.Test;

class InviteTest {
    private final Identity manager = identity(1);
    private final Identity alice = identity(2);
    private final Identity mallory = identity(3);
    private final GroupState state = new GroupState(groupId(5), "garden", manager.address(),
            new ManagerRights(true, true, false), GroupFixture.members(), List.of(), GroupPolicy.DEFAULT);

    private GroupInvite invite() {
        return Invite.sign(manager, state, alice.address(), Permission.WRITE, T0, bytes32(0x44));
    }

    @Test
    void verify_signedInviteForSelf_givesItsFields() throws Exception {
        Invite i = Invite.verify(GroupInvite.parseFrom(invite().toByteArray()), alice.address());
        assertThat(i.groupId()).isEqualTo(groupId(5));
        assertThat(i.groupName()).isEqualTo("garden");
        assertThat(i.manager()).isEqualTo(manager.address());
        assertThat(i.rights()).isEqualTo(new ManagerRights(true, true, false));
        assertThat(i.invitee()).isEqualTo(alice.address());
        assertThat(i.permission()).isEqualTo(Permission.WRITE);
        assertThat(i.time()).isEqualTo(T0);
        assertThat(i.signedBody().toByteArray()).isEqualTo(invite().getBody().toByteArray());
        assertThat(invite().getId().toByteArray()).isEqualTo(bytes32(0x44).toByteArray());
    }

    @Test
    void verify_inviteForAnotherNode_throwsMalformed() {
        assertThatThrownBy(() -> Invite.verify(invite(), mallory.address())).isInstanceOf(MalformedMessageException.class);
    }

    @Test
    void verify_bodyTampered_throwsCryptoException() throws Exception {
        InviteBody body = InviteBody.parseFrom(invite().getBody());
        GroupInvite promoted = invite().toBuilder()
                .setBody(body.toBuilder().setManagerRights(7).build().toByteString()).build();
        GroupInvite renamed = invite().toBuilder()
                .setBody(body.toBuilder().setGroupName("gardeN").build().toByteString()).build();
        GroupInvite redirected = invite().toBuilder()
                .setBody(body.toBuilder().setInvitee(GroupFixture.bs(mallory.publicKey())).build().toByteString()).build();
        assertThatThrownBy(() -> Invite.verify(promoted, alice.address())).isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> Invite.verify(renamed, alice.address())).isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> Invite.verify(redirected, mallory.address())).isInstanceOf(CryptoException.class);
    }

    @Test
    void verify_signedByNonManagerClaimingToBeManager_throwsCryptoException() throws Exception {
        InviteBody body = InviteBody.parseFrom(invite().getBody());
        byte[] b = body.toByteArray();
        GroupInvite forged = invite().toBuilder().setSignature(GroupFixture.bs(mallory.sign(Invite.LABEL, b))).build();
        assertThatThrownBy(() -> Invite.verify(forged, alice.address())).isInstanceOf(CryptoException.class);
    }

    @Test
    void verify_signatureWrongLengthOrBodyGarbage_throwsMalformed() {
        GroupInvite shortSig = invite().toBuilder().setSignature(ByteString.copyFrom(new byte[10])).build();
        GroupInvite garbage = invite().toBuilder().setBody(ByteString.copyFrom(new byte[] {(byte) 0xFF})).build();
        assertThatThrownBy(() -> Invite.verify(shortSig, alice.address())).isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> Invite.verify(garbage, alice.address())).isInstanceOf(MalformedMessageException.class);
    }

    /**
     * A group name the state refuses (control characters, over 64 bytes) must not reach the user through an
     * invite either: the invite is shown before any state is.
     */
    @Test
    void verify_managerSignedNameThatNoGroupStateAllows_throwsMalformed() {
        for (String name : List.of("\u001b[2J\u001b[31mpay here", "x".repeat(GroupState.MAX_NAME_BYTES + 1))) {
            byte[] body = InviteBody.newBuilder().setGroupId(GroupFixture.bs(groupId(5).bytes())).setGroupName(name)
                    .setManager(GroupFixture.bs(manager.publicKey())).setManagerRights(7)
                    .setInvitee(GroupFixture.bs(alice.publicKey()))
                    .setPermission(org.hearth.core.wire.proto.Permission.READ).setTimeMs(T0.toEpochMilli()).build()
                    .toByteArray();
            GroupInvite i = GroupInvite.newBuilder().setBody(ByteString.copyFrom(body))
                    .setSignature(GroupFixture.bs(manager.sign(Invite.LABEL, body))).build();
            assertThatThrownBy(() -> Invite.verify(i, alice.address())).as(name)
                    .isInstanceOf(MalformedMessageException.class);
        }
    }

    @Test
    void verify_unknownPermissionOrRights_throwsMalformed() {
        for (InviteBody.Builder b : List.of(
                InviteBody.newBuilder().setPermissionValue(9).setManagerRights(7),
                InviteBody.newBuilder().setPermission(org.hearth.core.wire.proto.Permission.READ).setManagerRights(8))) {
            byte[] body = b.setGroupId(GroupFixture.bs(groupId(5).bytes())).setGroupName("g")
                    .setManager(GroupFixture.bs(manager.publicKey())).setInvitee(GroupFixture.bs(alice.publicKey()))
                    .build().toByteArray();
            GroupInvite i = GroupInvite.newBuilder().setBody(ByteString.copyFrom(body))
                    .setSignature(GroupFixture.bs(manager.sign(Invite.LABEL, body))).build();
            assertThatThrownBy(() -> Invite.verify(i, alice.address())).isInstanceOf(MalformedMessageException.class);
        }
    }
}
