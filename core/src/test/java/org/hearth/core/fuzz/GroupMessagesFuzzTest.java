package org.hearth.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.Arrays;
import org.hearth.core.crypto.CryptoException;
import org.hearth.core.group.EpochKey;
import org.hearth.core.group.GroupMessages;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.hearth.core.wire.proto.GroupMessageBody;
import org.hearth.core.wire.proto.SignedGroupMessage;

/**
 * Jazzer targets for {@link GroupMessages#open} with the fixed epoch key of {@link FuzzFixture} (docs/protocol.md
 * §7.3): may refuse only with {@link CryptoException} or {@link MalformedMessageException}. Three depths: the
 * envelope as a host serves it, the plaintext behind a valid AEAD, and a body behind a valid signature.
 *
 * <p>Regression inputs: {@code src/test/resources/org/hearth/core/fuzz/GroupMessagesFuzzTestInputs/<method>/}.
 */
class GroupMessagesFuzzTest {
    private static final EpochKey KEY = FuzzFixture.key();

    /** An envelope as fetched from a host: without the key, nothing gets past the AEAD. */
    @FuzzTest
    void open_fuzzedEnvelope_openedOrRefused(byte[] data) {
        GroupEnvelope e;
        try {
            e = GroupEnvelope.parseFrom(data);
        } catch (InvalidProtocolBufferException refused) {
            return;
        }
        open(e);
    }

    /** The decrypted plaintext is the fuzzer's (a member with the key can send anything): unpad, parse, verify. */
    @FuzzTest
    void open_fuzzedPlaintextUnderTheKey_openedOrRefused(byte[] plaintext) {
        open(FuzzFixture.sealRaw(KEY, plaintext));
    }

    /**
     * The message body is the fuzzer's and alice signs it, as a member with a modified client would. The first
     * byte's bit 0 makes alice the sender, bit 1 binds the body to the key's group, epoch and update, so the
     * checks after the signature are reached.
     */
    @FuzzTest
    void open_fuzzedBodySignedByMember_openedOrRefused(byte[] data) {
        if (data.length == 0) {
            return;
        }
        byte[] body = Arrays.copyOfRange(data, 1, data.length);
        if ((data[0] & 3) != 0) {
            GroupMessageBody.Builder b;
            try {
                b = GroupMessageBody.parseFrom(body).toBuilder();
            } catch (InvalidProtocolBufferException refused) {
                return;
            }
            if ((data[0] & 1) != 0) {
                b.setSender(FuzzFixture.bs(FuzzFixture.ALICE.publicKey()));
            }
            if ((data[0] & 2) != 0) {
                b.setGroupId(FuzzFixture.bs(KEY.group().bytes())).setEpoch(KEY.epoch())
                        .setUpdateHash(FuzzFixture.bs(KEY.updateHash()));
            }
            body = b.build().toByteArray();
        }
        byte[] signed = SignedGroupMessage.newBuilder().setBody(ByteString.copyFrom(body))
                .setSignature(FuzzFixture.bs(FuzzFixture.ALICE.sign(GroupMessages.SIGNATURE_LABEL, body)))
                .build().toByteArray();
        GroupMessages.Opened m = open(FuzzFixture.sealRaw(KEY, FuzzFixture.lengthPrefixed(signed)));
        if (m != null) {
            assertThat(m.sender()).isEqualTo(FuzzFixture.ALICE.address());
        }
    }

    private static GroupMessages.Opened open(GroupEnvelope e) {
        GroupMessages.Opened m;
        try {
            m = GroupMessages.open(e, KEY);
        } catch (CryptoException | MalformedMessageException refused) {
            return null;
        }
        assertThat(m.group()).isEqualTo(KEY.group());
        assertThat(m.epoch()).isEqualTo(KEY.epoch());
        assertThat(m.updateHash().length()).isEqualTo(32);
        assertThat(m.parents()).hasSizeLessThanOrEqualTo(GroupMessages.MAX_PARENTS);
        assertThat(m.id()).isEqualTo(GroupMessages.id(e));
        assertThat(m.overlay().data()).isNotNull();
        return m;
    }
}
