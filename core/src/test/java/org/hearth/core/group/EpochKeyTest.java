package org.hearth.core.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hearth.core.group.GroupFixture.bytes32;
import static org.hearth.core.group.GroupFixture.groupId;

import java.util.HashSet;
import java.util.Set;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.bytes.SecretBytes;
import org.hearth.core.crypto.Kdf;
import org.hearth.core.crypto.Labels;
import org.junit.jupiter.api.Test;

class EpochKeyTest {
    private static final SecretBytes KEY = SecretBytes.copyOf(bytes32(0x5A).toByteArray());

    @Test
    void tag_sameKeyOtherEpochOrGroup_differs() {
        Set<Bytes> tags = new HashSet<>();
        for (int g = 1; g <= 3; g++) {
            for (long e = 0; e < 20; e++) {
                Bytes tag = new EpochKey(groupId(g), e, bytes32(1), KEY).tag();
                assertThat(tag.length()).isEqualTo(EpochKey.TAG_LENGTH);
                tags.add(tag);
            }
        }
        assertThat(tags).hasSize(60);
    }

    @Test
    void tag_freshKeysOfSuccessiveEpochs_allDiffer() {
        var random = GroupFixture.seeded(3);
        Set<Bytes> tags = new HashSet<>();
        for (long e = 0; e < 50; e++) {
            tags.add(new EpochKey(groupId(1), e, bytes32(1), EpochKey.fresh(random)).tag());
        }
        assertThat(tags).hasSize(50);
    }

    @Test
    void tag_sameInputs_isDeterministicAndMatchesLabelledHkdf() {
        EpochKey k = new EpochKey(groupId(2), 5, bytes32(1), KEY);
        byte[] info = Labels.encode(EpochKey.TAG_LABEL, groupId(2).bytes().toByteArray(), EpochKey.u64(5));
        assertThat(k.tag()).isEqualTo(new EpochKey(groupId(2), 5, bytes32(9), KEY).tag());
        assertThat(k.tag().toByteArray()).isEqualTo(Kdf.hkdf(KEY.reveal(), new byte[0], info, 16));
    }

    @Test
    void messageKey_anyEpoch_isNotTheTagNorTheEpochKey() {
        EpochKey k = new EpochKey(groupId(2), 5, bytes32(1), KEY);
        byte[] mk = k.messageKey().reveal();
        assertThat(mk).hasSize(32).isNotEqualTo(KEY.reveal());
        assertThat(Bytes.copyOf(mk, 0, 16)).isNotEqualTo(k.tag());
        assertThat(new EpochKey(groupId(2), 6, bytes32(1), KEY).messageKey().reveal()).isNotEqualTo(mk);
    }

    @Test
    void constructor_wrongLengths_throwIllegalArgument() {
        assertThatThrownBy(() -> new EpochKey(groupId(1), 0, bytes32(1), SecretBytes.copyOf(new byte[31])))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EpochKey(groupId(1), 0, Bytes.wrap(new byte[31]), KEY))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toString_anyKey_revealsNoKeyMaterial() {
        EpochKey k = new EpochKey(groupId(2), 5, bytes32(1), KEY);
        assertThat(k.toString()).isEqualTo("EpochKey[epoch 5]").doesNotContain(bytes32(0x5A).hex().substring(0, 8));
    }
}
