package org.hearth.core.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hearth.core.group.GroupFixture.T0;
import static org.hearth.core.group.GroupFixture.bytes32;
import static org.hearth.core.group.GroupFixture.groupId;
import static org.hearth.core.group.GroupFixture.identity;
import static org.hearth.core.group.GroupFixture.signUpdate;

import com.google.protobuf.ByteString;
import java.util.List;
import org.hearth.core.crypto.CryptoException;
import org.hearth.core.crypto.Hash;
import org.hearth.core.identity.Identity;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.proto.Change;
import org.hearth.core.wire.proto.GroupUpdateBody;
import org.hearth.core.wire.proto.SignedUpdate;
import org.junit.jupiter.api.Test;

class GroupUpdateTest {
    private final Identity manager = identity(1);
    private final Identity other = identity(2);

    private GroupUpdate sample() {
        return signUpdate(manager, groupId(7), 3, bytes32(0x11), bytes32(0x22),
                List.of(ManagerEngine.add(other.address(), Permission.WRITE), Change.newBuilder().setRotate(true).build()),
                T0.plusMillis(1234));
    }

    @Test
    void parse_signedUpdateBytes_sameFieldsAndHash() throws Exception {
        GroupUpdate u = sample();
        GroupUpdate back = GroupUpdate.parse(SignedUpdate.parseFrom(u.signed().toByteArray()));
        assertThat(back).isEqualTo(u);
        assertThat(back.hash()).isEqualTo(u.hash());
        assertThat(back.groupId()).isEqualTo(groupId(7));
        assertThat(back.epoch()).isEqualTo(3);
        assertThat(back.prevHash()).isEqualTo(bytes32(0x11));
        assertThat(back.stateDigest()).isEqualTo(bytes32(0x22));
        assertThat(back.changes()).isEqualTo(u.changes()).hasSize(2);
        assertThat(back.time()).isEqualTo(T0.plusMillis(1234));
    }

    @Test
    void hash_anyUpdate_isLabelledHashOfTheExactBodyBytes() {
        GroupUpdate u = sample();
        assertThat(u.hash()).isEqualTo(Hash.labelled(GroupUpdate.HASH_LABEL, u.signed().getBody().toByteArray()));
    }

    @Test
    void verifySignature_manager_passesAndOtherKey_throwsCryptoException() {
        GroupUpdate u = sample();
        assertThatCode(() -> u.verifySignature(manager.address())).doesNotThrowAnyException();
        assertThatThrownBy(() -> u.verifySignature(other.address())).isInstanceOf(CryptoException.class);
    }

    @Test
    void verifySignature_bodyBitFlipped_throwsCryptoException() throws Exception {
        GroupUpdate u = sample();
        byte[] body = u.signed().getBody().toByteArray();
        body[body.length - 1] ^= 1; // the last byte is part of time_ms: still parses
        GroupUpdate tampered = GroupUpdate.parse(u.signed().toBuilder().setBody(ByteString.copyFrom(body)).build());
        assertThat(tampered.hash()).isNotEqualTo(u.hash());
        assertThatThrownBy(() -> tampered.verifySignature(manager.address())).isInstanceOf(CryptoException.class);
    }

    @Test
    void verifySignature_signatureOfAnotherLabel_throwsCryptoException() throws Exception {
        GroupUpdate u = sample();
        byte[] body = u.signed().getBody().toByteArray();
        SignedUpdate wrongLabel = u.signed().toBuilder()
                .setSignature(GroupFixture.bs(manager.sign(Invite.LABEL, body))).build();
        GroupUpdate w = GroupUpdate.parse(wrongLabel);
        assertThatThrownBy(() -> w.verifySignature(manager.address())).isInstanceOf(CryptoException.class);
    }

    @Test
    void parse_malformedUpdates_throwMalformed() {
        GroupUpdateBody ok = GroupUpdateBody.newBuilder().setGroupId(GroupFixture.bs(groupId(7).bytes())).setEpoch(1)
                .setPrevHash(GroupFixture.bs(bytes32(1))).setStateDigest(GroupFixture.bs(bytes32(2)))
                .addChanges(Change.newBuilder().setRotate(true)).build();
        List<SignedUpdate> bad = List.of(
                signed(ok.toBuilder().clearChanges().build()),
                signed(ok.toBuilder().addChanges(Change.getDefaultInstance()).build()),
                signed(ok.toBuilder().setGroupId(ByteString.copyFrom(new byte[31])).build()),
                signed(ok.toBuilder().setPrevHash(ByteString.copyFrom(new byte[31])).build()),
                signed(ok.toBuilder().setStateDigest(ByteString.EMPTY).build()),
                signed(ok.toBuilder().setEpoch(-1).build()),
                signed(ok.toBuilder().setEpoch(Long.MAX_VALUE).build()),
                SignedUpdate.newBuilder().setBody(ok.toByteString()).setSignature(ByteString.copyFrom(new byte[63])).build(),
                SignedUpdate.newBuilder().setBody(ByteString.copyFrom(new byte[] {(byte) 0xFF, 0x01}))
                        .setSignature(ByteString.copyFrom(new byte[64])).build(),
                SignedUpdate.newBuilder().setBody(ByteString.copyFrom(new byte[GroupUpdate.MAX_BODY_BYTES + 1]))
                        .setSignature(ByteString.copyFrom(new byte[64])).build());
        for (SignedUpdate s : bad) {
            assertThatThrownBy(() -> GroupUpdate.parse(s)).isInstanceOf(MalformedMessageException.class);
        }
        assertThatCode(() -> GroupUpdate.parse(signed(ok))).doesNotThrowAnyException();
    }

    @Test
    void sign_updateWithoutChanges_throwsIllegalArgument() {
        assertThatThrownBy(() -> signUpdate(manager, groupId(7), 1, bytes32(1), bytes32(2), List.of(), T0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private SignedUpdate signed(GroupUpdateBody body) {
        byte[] b = body.toByteArray();
        return SignedUpdate.newBuilder().setBody(ByteString.copyFrom(b))
                .setSignature(GroupFixture.bs(manager.sign(GroupUpdate.SIGNATURE_LABEL, b))).build();
    }
}
