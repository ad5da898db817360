package org.hearth.core.bytes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class BytesTest {

    @Test
    void equals_sameContent_equalWithSameHashCode() {
        Bytes a = Bytes.copyOf(new byte[] {1, 2, 3});
        Bytes b = Bytes.fromHex("010203");
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(Bytes.fromHex("010204")).isNotEqualTo(Bytes.fromHex("0102"));
        assertThat(Bytes.copyOf(new byte[0])).isEqualTo(Bytes.EMPTY);
        assertThat(a).isNotEqualTo(new byte[] {1, 2, 3});
    }

    @Test
    void copyOf_sourceChangedAfterwards_isUnaffected() {
        byte[] source = {1, 2, 3};
        Bytes b = Bytes.copyOf(source);
        source[0] = 9;
        assertThat(b.get(0)).isEqualTo((byte) 1);
    }

    @Test
    void toByteArray_resultChanged_isUnaffected() {
        Bytes b = Bytes.fromHex("0102");
        b.toByteArray()[0] = 9;
        assertThat(b.hex()).isEqualTo("0102");
    }

    @Test
    void copyOf_range_copiesOnlyThatRange() {
        assertThat(Bytes.copyOf(new byte[] {1, 2, 3, 4}, 1, 2)).isEqualTo(Bytes.fromHex("0203"));
    }

    @Test
    void compareTo_highBitSet_ordersUnsigned() {
        assertThat(Bytes.fromHex("80").compareTo(Bytes.fromHex("7f"))).isPositive();
        assertThat(Bytes.fromHex("ff").compareTo(Bytes.fromHex("00"))).isPositive();
        assertThat(Bytes.fromHex("00ff").compareTo(Bytes.fromHex("0100"))).isNegative();
        assertThat(Bytes.fromHex("0102").compareTo(Bytes.fromHex("010203"))).isNegative();
        assertThat(Bytes.fromHex("0102").compareTo(Bytes.fromHex("0102"))).isZero();
        List<Bytes> list = new ArrayList<>(List.of(Bytes.fromHex("ff"), Bytes.fromHex("01"), Bytes.EMPTY,
                Bytes.fromHex("80"), Bytes.fromHex("7f")));
        Collections.sort(list);
        assertThat(list).extracting(Bytes::hex).containsExactly("", "01", "7f", "80", "ff");
    }

    @Test
    void copyTo_target_writesAtOffset() {
        byte[] target = new byte[4];
        Bytes.fromHex("0a0b").copyTo(target, 1);
        assertThat(target).containsExactly(0, 10, 11, 0);
    }

    @Test
    void toString_longValue_isTruncated() {
        assertThat(Bytes.fromHex("0102").toString()).isEqualTo("0102");
        String s = Bytes.fromHex("00112233445566778899aabb").toString();
        assertThat(s).startsWith("0011223344556677").contains("(12)").doesNotContain("8899");
    }
}
