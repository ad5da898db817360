package org.hearth.node.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.crypto.PassphraseKdf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFileTest {
    private static final KeyFile SAMPLE = new KeyFile(new PassphraseKdf.Params(65536, 3, 1),
            Bytes.fromHex("000102030405060708090a0b0c0d0e0f"));

    @Test
    void encode_sample_matchesTheDocumentedLayout() {
        assertThat(Bytes.wrap(SAMPLE.encode()).hex()).isEqualTo(
                "4845415254484b46" + "0001" + "01" + "00010000" + "00000003" + "00000001" + "10"
                        + "000102030405060708090a0b0c0d0e0f");
    }

    @Test
    void decode_encoded_roundTrips() {
        assertThat(KeyFile.decode(SAMPLE.encode())).isEqualTo(SAMPLE);
    }

    @Test
    void writeAtomically_thenRead_roundTripsAndLeavesNoTempFile(@TempDir Path dir) {
        Path file = dir.resolve(KeyFile.NAME);

        SAMPLE.writeAtomically(file);

        assertThat(KeyFile.read(file)).isEqualTo(SAMPLE);
        assertThat(dir.resolve(KeyFile.NAME + ".tmp")).doesNotExist();
    }

    @Test
    void decode_truncatedOrExtended_isRejected() {
        byte[] good = SAMPLE.encode();

        assertThatThrownBy(() -> KeyFile.decode(Arrays.copyOf(good, good.length - 1)))
                .isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> KeyFile.decode(Arrays.copyOf(good, good.length + 1)))
                .isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> KeyFile.decode(new byte[0])).isInstanceOf(StoreException.class);
    }

    @Test
    void decode_magicFormatKdfOrSaltLengthByteFlipped_isRejected() {
        byte[] good = SAMPLE.encode();
        int saltLength = good.length - KeyFile.SALT_LENGTH - 1;
        for (int i : new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, saltLength}) {
            byte[] bad = good.clone();
            bad[i] ^= (byte) 0x80;
            int at = i;
            assertThatThrownBy(() -> KeyFile.decode(bad)).as("byte %d", at).isInstanceOf(StoreException.class);
        }
    }

    @Test
    void decode_outOfRangeParameters_isRejected() {
        byte[] bad = SAMPLE.encode();
        bad[11] = 0; // memoryKib occupies bytes 11..14: make it 0
        bad[12] = 0;
        bad[13] = 0;
        bad[14] = 0;

        assertThatThrownBy(() -> KeyFile.decode(bad)).isInstanceOf(StoreException.class)
                .hasMessageContaining("Argon2");
    }

    @Test
    void read_missingFile_throwsStoreException(@TempDir Path dir) {
        assertThat(Files.exists(dir.resolve(KeyFile.NAME))).isFalse();

        assertThatThrownBy(() -> KeyFile.read(dir.resolve(KeyFile.NAME))).isInstanceOf(StoreException.class);
    }
}
