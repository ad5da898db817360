package org.hearth.core.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hearth.core.group.GroupFixture.T0;
import static org.hearth.core.group.GroupFixture.bs;
import static org.hearth.core.group.GroupFixture.identity;

import com.google.protobuf.ByteString;
import java.util.List;
import java.util.Optional;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.bytes.SecretBytes;
import org.hearth.core.chat.ChatOverlay;
import org.hearth.core.crypto.Aead;
import org.hearth.core.crypto.CryptoException;
import org.hearth.core.crypto.Labels;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.Identity;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.hearth.core.wire.proto.GroupMessageBody;
import org.hearth.core.wire.proto.SignedGroupMessage;
import org.junit.jupiter.api.Test;

/**
 * Attacks on group messages (design §8): a host or network that alters envelopes, a member that forges
 * another member's messages, and keys of the wrong epoch. The attacker member holds the epoch key, so it can
 * seal anything; only the sender's signature stands in its way.
 */
class GroupMessageAdversarialTest {
    private final Identity manager = identity(1);
    private final Identity victim = identity(2);
    private final Identity attacker = identity(3);
    private final RandomSource random = GroupFixture.seeded(51);
    private final GroupFixture.Group g = new GroupFixture.Group(manager,
            GroupFixture.members(victim.address(), Permission.WRITE, attacker.address(), Permission.WRITE), 52);

    {
        g.next();
    }

    private GroupEnvelope sealByVictim(EpochKey key, String text) {
        return GroupMessages.seal(victim, key, T0, List.of(), ChatOverlay.text(text), Optional.empty(), random);
    }

    /** Seals arbitrary signed-message bytes under {@code key}, exactly as {@link GroupMessages#seal} does. */
    private GroupEnvelope sealRaw(EpochKey key, byte[] signedMessage) {
        Bytes tag = key.tag();
        byte[] nonce = random.bytes(24);
        SecretBytes mk = key.messageKey();
        byte[] ct = Aead.xchacha20Poly1305().seal(mk, nonce, ad(key), GroupMessages.pad(signedMessage));
        return GroupEnvelope.newBuilder().setTag(bs(tag)).setNonce(ByteString.copyFrom(nonce))
                .setCiphertext(ByteString.copyFrom(ct)).build();
    }

    /** Decrypts an envelope with the epoch key, as any member can, down to the signed message. */
    private SignedGroupMessage decrypt(GroupEnvelope e, EpochKey key) throws Exception {
        byte[] plain = Aead.xchacha20Poly1305().open(key.messageKey(), e.getNonce().toByteArray(), ad(key),
                e.getCiphertext().toByteArray());
        return SignedGroupMessage.parseFrom(GroupMessages.unpad(plain));
    }

    private static byte[] ad(EpochKey key) {
        return Labels.encode(GroupMessages.AD_LABEL, key.group().bytes().toByteArray(), EpochKey.u64(key.epoch()),
                key.tag().toByteArray());
    }

    private GroupMessageBody bodyFrom(Identity sender, EpochKey key, String text) {
        return GroupMessageBody.newBuilder().setSender(bs(sender.publicKey())).setGroupId(bs(key.group().bytes()))
                .setEpoch(key.epoch()).setUpdateHash(bs(key.updateHash())).setSentAtMs(T0.toEpochMilli())
                .setOverlay(ByteString.copyFrom(ChatOverlay.text(text).encode())).build();
    }

    private static byte[] signed(Identity signer, GroupMessageBody body) {
        byte[] b = body.toByteArray();
        return SignedGroupMessage.newBuilder().setBody(ByteString.copyFrom(b))
                .setSignature(bs(signer.sign(GroupMessages.SIGNATURE_LABEL, b))).build().toByteArray();
    }

    @Test
    void open_ciphertextBitFlipped_throwsCryptoException() {
        GroupEnvelope e = sealByVictim(g.key(1), "transfer 10");
        for (int i : new int[] {0, 17, e.getCiphertext().size() / 2, e.getCiphertext().size() - 1}) {
            byte[] ct = e.getCiphertext().toByteArray();
            ct[i] ^= 0x01;
            GroupEnvelope tampered = e.toBuilder().setCiphertext(ByteString.copyFrom(ct)).build();
            assertThatThrownBy(() -> GroupMessages.open(tampered, g.key(1))).as("byte " + i)
                    .isInstanceOf(CryptoException.class);
        }
    }

    @Test
    void open_nonceChangedOrCiphertextTruncated_throwsCryptoException() {
        GroupEnvelope e = sealByVictim(g.key(1), "transfer 10");
        byte[] nonce = e.getNonce().toByteArray();
        nonce[5] ^= 0x40;
        GroupEnvelope otherNonce = e.toBuilder().setNonce(ByteString.copyFrom(nonce)).build();
        GroupEnvelope truncated = e.toBuilder().setCiphertext(e.getCiphertext().substring(0, 512)).build();
        assertThatThrownBy(() -> GroupMessages.open(otherNonce, g.key(1))).isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> GroupMessages.open(truncated, g.key(1))).isInstanceOf(CryptoException.class);
    }

    @Test
    void open_tagChanged_throwsCryptoException() {
        GroupEnvelope e = sealByVictim(g.key(1), "transfer 10");
        byte[] tag = e.getTag().toByteArray();
        tag[0] ^= 1;
        assertThatThrownBy(() -> GroupMessages.open(e.toBuilder().setTag(ByteString.copyFrom(tag)).build(), g.key(1)))
                .isInstanceOf(CryptoException.class);
    }

    @Test
    void open_envelopeFieldsOfWrongSize_throwsMalformed() {
        GroupEnvelope e = sealByVictim(g.key(1), "hi");
        assertThatThrownBy(() -> GroupMessages.open(e.toBuilder().setNonce(e.getNonce().substring(1)).build(), g.key(1)))
                .isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> GroupMessages.open(e.toBuilder().setTag(ByteString.EMPTY).build(), g.key(1)))
                .isInstanceOf(MalformedMessageException.class);
    }

    @Test
    void open_messageSealedWithEpochNOpenedWithEpochNPlus1Key_throwsCryptoException() {
        g.next();
        GroupEnvelope e = sealByVictim(g.key(1), "old epoch");
        assertThatThrownBy(() -> GroupMessages.open(e, g.key(2))).isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> GroupMessages.open(sealByVictim(g.key(2), "new"), g.key(1)))
                .isInstanceOf(CryptoException.class);
    }

    @Test
    void open_hostRelabelsEnvelopeWithTheNextEpochsTag_throwsCryptoException() {
        g.next();
        GroupEnvelope e = sealByVictim(g.key(1), "old epoch");
        GroupEnvelope relabelled = e.toBuilder().setTag(bs(g.key(2).tag())).build();
        assertThatThrownBy(() -> GroupMessages.open(relabelled, g.key(2))).isInstanceOf(CryptoException.class);
    }

    @Test
    void open_memberForgesVictimAsSenderSignedWithOwnKey_throwsCryptoException() {
        GroupMessageBody claimsVictim = bodyFrom(victim, g.key(1), "I, the victim, resign");
        GroupEnvelope forged = sealRaw(g.key(1), signed(attacker, claimsVictim));
        assertThatThrownBy(() -> GroupMessages.open(forged, g.key(1))).isInstanceOf(CryptoException.class);
    }

    @Test
    void open_memberReSignsVictimsMessageBody_throwsCryptoException() throws Exception {
        GroupEnvelope genuine = sealByVictim(g.key(1), "see you at 6");
        SignedGroupMessage original = decrypt(genuine, g.key(1));
        GroupMessageBody body = GroupMessageBody.parseFrom(original.getBody());
        GroupMessageBody altered = body.toBuilder()
                .setOverlay(ByteString.copyFrom(ChatOverlay.text("see you at 9").encode())).build();

        GroupEnvelope reSigned = sealRaw(g.key(1), signed(attacker, body));
        GroupEnvelope alteredReSigned = sealRaw(g.key(1), signed(attacker, altered));
        GroupEnvelope alteredOldSignature = sealRaw(g.key(1), original.toBuilder().setBody(altered.toByteString())
                .build().toByteArray());

        assertThatThrownBy(() -> GroupMessages.open(reSigned, g.key(1))).isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> GroupMessages.open(alteredReSigned, g.key(1))).isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> GroupMessages.open(alteredOldSignature, g.key(1))).isInstanceOf(CryptoException.class);
    }

    @Test
    void open_memberReSignsVictimsTextUnderItsOwnName_attributedToTheAttacker() throws Exception {
        GroupEnvelope genuine = sealByVictim(g.key(1), "see you at 6");
        GroupMessageBody body = GroupMessageBody.parseFrom(decrypt(genuine, g.key(1)).getBody());
        GroupMessageBody mine = body.toBuilder().setSender(bs(attacker.publicKey())).build();

        GroupMessages.Opened o = GroupMessages.open(sealRaw(g.key(1), signed(attacker, mine)), g.key(1));

        assertThat(o.sender()).isEqualTo(attacker.address());
    }

    @Test
    void open_victimsSignedMessageResealedUnderTheNextEpoch_throwsMalformed() throws Exception {
        g.next();
        GroupEnvelope genuine = sealByVictim(g.key(1), "epoch 1 only");
        byte[] signedBytes = decrypt(genuine, g.key(1)).toByteArray();
        assertThatCode(() -> GroupMessages.open(sealRaw(g.key(1), signedBytes), g.key(1))).doesNotThrowAnyException();
        assertThatThrownBy(() -> GroupMessages.open(sealRaw(g.key(2), signedBytes), g.key(2)))
                .isInstanceOf(MalformedMessageException.class);
    }

    @Test
    void open_victimsSignedMessageResealedUnderAnotherGroup_throwsMalformed() throws Exception {
        GroupFixture.Group other = new GroupFixture.Group(manager,
                GroupFixture.members(victim.address(), Permission.WRITE, attacker.address(), Permission.WRITE), 53);
        other.next();
        byte[] signedBytes = decrypt(sealByVictim(g.key(1), "group one only"), g.key(1)).toByteArray();
        assertThatThrownBy(() -> GroupMessages.open(sealRaw(other.key(1), signedBytes), other.key(1)))
                .isInstanceOf(MalformedMessageException.class);
    }

    @Test
    void open_signatureOfAnotherLabel_throwsCryptoException() {
        byte[] body = bodyFrom(victim, g.key(1), "hi").toByteArray();
        byte[] wrongLabel = SignedGroupMessage.newBuilder().setBody(ByteString.copyFrom(body))
                .setSignature(bs(victim.sign(GroupUpdate.SIGNATURE_LABEL, body))).build().toByteArray();
        assertThatThrownBy(() -> GroupMessages.open(sealRaw(g.key(1), wrongLabel), g.key(1)))
                .isInstanceOf(CryptoException.class);
    }

    @Test
    void open_unsignedOrGarbagePlaintext_throwsMalformed() {
        byte[] unsigned = SignedGroupMessage.newBuilder().setBody(bodyFrom(victim, g.key(1), "hi").toByteString())
                .build().toByteArray();
        assertThatThrownBy(() -> GroupMessages.open(sealRaw(g.key(1), unsigned), g.key(1)))
                .isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> GroupMessages.open(sealRaw(g.key(1), new byte[] {(byte) 0xFF, (byte) 0xFF}), g.key(1)))
                .isInstanceOf(MalformedMessageException.class);
    }
}
