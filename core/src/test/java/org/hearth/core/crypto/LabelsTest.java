package org.hearth.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class LabelsTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void encode_labelAndParts_isLengthPrefixedBigEndian() {
        assertThat(HEX.formatHex(Labels.encode("ab", new byte[] {1, 2, 3}, new byte[0])))
                .isEqualTo("0002" + "6162" + "00000003" + "010203" + "00000000");
        assertThat(HEX.formatHex(Labels.encode("ab"))).isEqualTo("00026162");
    }

    @Test
    void encode_nonAsciiLabel_countsUtf8Bytes() {
        assertThat(HEX.formatHex(Labels.encode("é"))).isEqualTo("0002c3a9");
    }

    @Test
    void encode_emptyLabel_throwsIllegalArgumentException() {
        assertThatThrownBy(() -> Labels.encode("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void encode_labelLongerThan65535Bytes_throwsIllegalArgumentException() {
        assertThat(Labels.encode("x".repeat(0xFFFF))).hasSize(2 + 0xFFFF);
        assertThatThrownBy(() -> Labels.encode("x".repeat(0x10000))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void encode_labelMovedIntoPart_differs() {
        assertThat(Labels.encode("ab", new byte[] {'c'})).isNotEqualTo(Labels.encode("a", new byte[] {'b', 'c'}));
        assertThat(Labels.encode("ab", new byte[0])).isNotEqualTo(Labels.encode("ab"));
    }
}
