package org.hearth.core.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hearth.core.group.GroupFixture.T0;
import static org.hearth.core.group.GroupFixture.bytes32;
import static org.hearth.core.group.GroupFixture.groupId;
import static org.hearth.core.group.GroupFixture.identity;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.bytes.SecretBytes;
import org.hearth.core.chat.ChatOverlay;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.Identity;
import org.hearth.core.testkit.Property;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.junit.jupiter.api.Test;

class GroupMessagesTest {
    private final Identity alice = identity(2);
    private final RandomSource random = GroupFixture.seeded(11);
    private final EpochKey key = new EpochKey(groupId(4), 3, bytes32(0x33), SecretBytes.copyOf(bytes32(0x77).toByteArray()));

    private GroupEnvelope seal(String text) {
        return GroupMessages.seal(alice, key, T0, List.of(), ChatOverlay.text(text), Optional.empty(), random);
    }

    @Test
    void open_sealedMessage_givesSenderGroupEpochAndText() throws Exception {
        GroupUpdate announced = GroupFixture.signUpdate(identity(1), groupId(4), 3, bytes32(1), bytes32(2),
                List.of(org.hearth.core.wire.proto.Change.newBuilder().setRotate(true).build()), T0);
        List<Bytes> parents = List.of(bytes32(0xA1), bytes32(0xA2));
        GroupEnvelope e = GroupMessages.seal(alice, key, T0.plusMillis(5), parents, ChatOverlay.text("hello, group"),
                Optional.of(announced.signed()), random);
        GroupEnvelope wire = GroupEnvelope.parseFrom(e.toByteArray());

        GroupMessages.Opened o = GroupMessages.open(wire, key);

        assertThat(o.sender()).isEqualTo(alice.address());
        assertThat(o.group()).isEqualTo(groupId(4));
        assertThat(o.epoch()).isEqualTo(3);
        assertThat(o.updateHash()).isEqualTo(bytes32(0x33));
        assertThat(o.sentAt()).isEqualTo(T0.plusMillis(5));
        assertThat(o.parents()).isEqualTo(parents);
        assertThat(o.overlay()).isEqualTo(ChatOverlay.text("hello, group"));
        assertThat(o.announcedUpdate()).contains(announced.signed());
        assertThat(o.id()).isEqualTo(GroupMessages.id(wire)).isEqualTo(GroupMessages.id(e));
        assertThat(Bytes.wrap(e.getTag().toByteArray())).isEqualTo(key.tag());
    }

    @Test
    void opener_manyEnvelopes_sameResultAsOpenAndRefusesWhatOpenRefuses() throws Exception {
        EpochKey other = new EpochKey(groupId(4), 4, bytes32(0x33), SecretBytes.copyOf(bytes32(0x78).toByteArray()));
        GroupEnvelope foreign = GroupMessages.seal(alice, other, T0, List.of(), ChatOverlay.text("x"), Optional.empty(),
                random);
        GroupEnvelope tampered = seal("tampered").toBuilder().setCiphertext(com.google.protobuf.ByteString.copyFrom(
                new byte[seal("tampered").getCiphertext().size()])).build();
        try (GroupMessages.Opener opener = GroupMessages.opener(key)) {
            assertThat(opener.tag()).isEqualTo(key.tag());
            for (int i = 0; i < 5; i++) {
                GroupEnvelope e = seal("message " + i);
                assertThat(opener.open(e)).isEqualTo(GroupMessages.open(e, key));
            }
            assertThatThrownBy(() -> opener.open(foreign)).isInstanceOf(org.hearth.core.crypto.CryptoException.class);
            assertThatThrownBy(() -> opener.open(tampered)).isInstanceOf(org.hearth.core.crypto.CryptoException.class);
        }
    }

    @Test
    void opener_closed_wipesItsKeyAndOpensNothing() {
        GroupMessages.Opener opener = GroupMessages.opener(key);
        opener.close();
        assertThatThrownBy(() -> opener.open(seal("after close"))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void open_randomTextsAndParents_roundTrip() {
        Property.forAll(50, r -> {
            String text = Property.alpha(r, 1, 3000);
            List<Bytes> parents = new ArrayList<>();
            for (int i = r.nextInt(GroupMessages.MAX_PARENTS + 1); i > 0; i--) {
                byte[] p = new byte[32];
                r.nextBytes(p);
                parents.add(Bytes.wrap(p));
            }
            GroupEnvelope e = GroupMessages.seal(alice, key, T0, parents, ChatOverlay.text(text), Optional.empty(),
                    r::nextBytes);
            try {
                GroupMessages.Opened o = GroupMessages.open(e, key);
                assertThat(o.overlay().data()).isEqualTo(text);
                assertThat(o.parents()).isEqualTo(parents);
            } catch (Exception ex) {
                throw new AssertionError(ex);
            }
        });
    }

    @Test
    void seal_twoShortTextsOfDifferentLengths_sameCiphertextSize() {
        GroupEnvelope a = seal("hi");
        GroupEnvelope b = seal("a somewhat longer message, but still short");
        assertThat(a.getCiphertext().size()).isEqualTo(b.getCiphertext().size());
        assertThat(a.getSerializedSize()).isEqualTo(b.getSerializedSize());
        assertThat(a.getCiphertext().size()).isEqualTo(512 + 16);
    }

    @Test
    void seal_textsAcrossBuckets_ciphertextSizesAreOnlyBucketSizes() {
        List<Integer> sizes = new ArrayList<>();
        for (int n : new int[] {1, 100, 300, 600, 1500, 3000, 4000}) {
            sizes.add(seal("x".repeat(n)).getCiphertext().size() - 16);
        }
        assertThat(sizes).allMatch(s -> Integer.bitCount(s) == 1 && s >= 512 && s <= 32768);
        assertThat(sizes).containsExactly(512, 512, 512, 1024, 2048, 4096, 8192);
    }

    @Test
    void seal_sameMessageTwice_differentNonceAndId() {
        GroupEnvelope a = seal("same");
        GroupEnvelope b = seal("same");
        assertThat(a.getNonce()).isNotEqualTo(b.getNonce());
        assertThat(GroupMessages.id(a)).isNotEqualTo(GroupMessages.id(b));
    }

    /**
     * The node announces its head update on its first message in each epoch. The minimum rotation interval
     * batches a flood of joins into one update (up to {@code GroupUpdate.MAX_CHANGES} changes, a valid update);
     * announcing that update with a valid text must still fit the envelope, or no member can post in that epoch.
     */
    @Test
    void seal_firstMessageAnnouncingABatchOfJoinsWithLongestText_fitsTheEnvelope() {
        Identity manager = identity(1);
        GroupFixture.Group g = new GroupFixture.Group(manager, GroupFixture.members(alice.address(), Permission.WRITE), 12);
        // as many joins as a group can take in one batch (the state's member limit, under the update's change limit)
        org.hearth.core.wire.proto.Change[] joins = new org.hearth.core.wire.proto.Change[
                Math.min(GroupUpdate.MAX_CHANGES, org.hearth.core.group.GroupState.MAX_MEMBERS - 1)];
        for (int i = 0; i < joins.length; i++) {
            byte[] k = new byte[32];
            new java.util.Random(i).nextBytes(k);
            joins[i] = ManagerEngine.add(org.hearth.core.identity.Address.of(Bytes.wrap(k)), Permission.READ);
        }
        GroupUpdate batch = g.next(joins);
        String longest = "\u8a9e".repeat(org.hearth.core.chat.ChatOverlay.MAX_TEXT_CHARS); // 3 UTF-8 bytes each

        int overlayBytes = ChatOverlay.text(longest).encode().length;

        assertThatCode(() -> GroupMessages.seal(alice, g.key(1), T0, List.of(), ChatOverlay.text(longest),
                Optional.of(batch.signed()), random))
                .as("announcing a valid update of %d bytes with a valid %d-byte overlay", batch.signed().getSerializedSize(),
                        overlayBytes)
                .doesNotThrowAnyException();
    }

    @Test
    void seal_tooManyParents_throwsIllegalArgument() {
        List<Bytes> parents = new ArrayList<>();
        for (int i = 0; i <= GroupMessages.MAX_PARENTS; i++) {
            parents.add(bytes32(i));
        }
        assertThatThrownBy(() -> GroupMessages.seal(alice, key, T0, parents, ChatOverlay.text("x"), Optional.empty(),
                random)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pad_thenUnpad_givesTheMessageBack() throws Exception {
        for (int n : new int[] {0, 1, 507, 508, 509, 2044, 2045, 40000}) {
            byte[] m = new byte[n];
            new java.util.Random(n).nextBytes(m);
            byte[] p = GroupMessages.pad(m);
            assertThat(p.length).isGreaterThanOrEqualTo(n + 4);
            assertThat(GroupMessages.unpad(p)).isEqualTo(m);
        }
    }

    @Test
    void unpad_lengthBeyondBuffer_throwsMalformed() {
        byte[] p = new byte[16];
        p[3] = 13;
        assertThatThrownBy(() -> GroupMessages.unpad(p)).isInstanceOf(MalformedMessageException.class);
        byte[] negative = {(byte) 0x80, 0, 0, 0, 0};
        assertThatThrownBy(() -> GroupMessages.unpad(negative)).isInstanceOf(MalformedMessageException.class);
        assertThatThrownBy(() -> GroupMessages.unpad(new byte[3])).isInstanceOf(MalformedMessageException.class);
    }
}
