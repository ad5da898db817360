package org.hearth.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.hearth.core.crypto.CryptoException;
import org.hearth.core.group.GroupState;
import org.hearth.core.group.Invite;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.proto.GroupInvite;
import org.hearth.core.wire.proto.InviteBody;

/**
 * Jazzer targets for {@link Invite#verify} (docs/protocol.md §6): may refuse only with
 * {@link MalformedMessageException} or {@link CryptoException}. An invite that verifies names this node, its
 * manager signed it, and its name obeys the group-name rule.
 *
 * <p>Regression inputs: {@code src/test/resources/org/hearth/core/fuzz/InviteFuzzTestInputs/<method>/}.
 */
class InviteFuzzTest {

    /** A whole GroupInvite as it arrives: only a genuine signature gets through. */
    @FuzzTest
    void verify_fuzzedInvite_inviteOrRefused(byte[] data) {
        GroupInvite invite;
        try {
            invite = GroupInvite.parseFrom(data);
        } catch (InvalidProtocolBufferException refused) {
            return;
        }
        verify(invite);
    }

    /**
     * The body is the fuzzer's; the first byte says whether to name the fixture's manager (bit 0) and this node
     * as invitee (bit 1) before the manager signs it, so the checks behind the signature are reached.
     */
    @FuzzTest
    void verify_fuzzedBodySignedByManager_inviteOrMalformed(byte[] data) {
        if (data.length == 0) {
            return;
        }
        byte[] body = Arrays.copyOfRange(data, 1, data.length);
        if ((data[0] & 3) != 0) {
            InviteBody.Builder b;
            try {
                b = InviteBody.parseFrom(body).toBuilder();
            } catch (InvalidProtocolBufferException refused) {
                return;
            }
            if ((data[0] & 1) != 0) {
                b.setManager(FuzzFixture.bs(FuzzFixture.MANAGER.publicKey()));
            }
            if ((data[0] & 2) != 0) {
                b.setInvitee(FuzzFixture.bs(FuzzFixture.ALICE.publicKey()));
            }
            body = b.build().toByteArray();
        }
        GroupInvite invite = GroupInvite.newBuilder().setId(ByteString.copyFrom(new byte[16]))
                .setBody(ByteString.copyFrom(body))
                .setSignature(FuzzFixture.bs(FuzzFixture.MANAGER.sign(Invite.LABEL, body))).build();
        verify(invite);
    }

    private static void verify(GroupInvite invite) {
        Invite verified;
        try {
            verified = Invite.verify(invite, FuzzFixture.ALICE.address());
        } catch (MalformedMessageException | CryptoException refused) {
            return;
        }
        assertThat(verified.invitee()).isEqualTo(FuzzFixture.ALICE.address());
        assertThat(verified.groupName().getBytes(StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(GroupState.MAX_NAME_BYTES);
        assertThat(verified.signedBody().toByteArray()).isEqualTo(invite.getBody().toByteArray());
        try {
            verified.manager().verify(Invite.LABEL, verified.signedBody().toByteArray(), verified.signature());
        } catch (CryptoException e) {
            throw new AssertionError("a verified invite's own signature does not verify", e);
        }
    }
}
