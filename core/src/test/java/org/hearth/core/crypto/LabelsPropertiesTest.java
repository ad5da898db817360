package org.hearth.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/** The label encoding is injective: no two (label, parts) inputs share an encoding. */
class LabelsPropertiesTest {

    @Property
    void encode_anyInput_decodesBackToTheSameLabelAndParts(
            @ForAll @AlphaChars @NumericChars @Chars({'/', '-', 'é'}) @StringLength(min = 1, max = 30) String label,
            @ForAll @Size(max = 5) List<@Size(max = 20) byte[]> parts) {
        byte[] encoded = Labels.encode(label, parts.toArray(byte[][]::new));
        ByteBuffer in = ByteBuffer.wrap(encoded);
        byte[] l = new byte[Short.toUnsignedInt(in.getShort())];
        in.get(l);
        List<byte[]> decoded = new ArrayList<>();
        while (in.hasRemaining()) {
            byte[] p = new byte[in.getInt()];
            in.get(p);
            decoded.add(p);
        }
        assertThat(new String(l, StandardCharsets.UTF_8)).isEqualTo(label);
        assertThat(decoded).usingElementComparator(Arrays::compare).containsExactlyElementsOf(parts);
    }

    @Property
    void encode_differentLabelsOrParts_neverEncodeEqual(
            @ForAll @AlphaChars @StringLength(min = 1, max = 3) String label1,
            @ForAll @Size(max = 3) List<@Size(max = 3) byte[]> parts1,
            @ForAll @AlphaChars @StringLength(min = 1, max = 3) String label2,
            @ForAll @Size(max = 3) List<@Size(max = 3) byte[]> parts2) {
        boolean sameInput = label1.equals(label2) && parts1.size() == parts2.size()
                && Arrays.deepEquals(parts1.toArray(), parts2.toArray());
        Assume.that(!sameInput);
        assertThat(Labels.encode(label1, parts1.toArray(byte[][]::new)))
                .isNotEqualTo(Labels.encode(label2, parts2.toArray(byte[][]::new)));
    }

    @Property
    void encode_sameBytesSplitDifferently_neverEncodeEqual(
            @ForAll @Size(min = 1, max = 40) byte[] bytes,
            @ForAll @IntRange(max = 40) int split1,
            @ForAll @IntRange(max = 40) int split2) {
        int i = Math.min(split1, bytes.length);
        int j = Math.min(split2, bytes.length);
        Assume.that(i != j);
        assertThat(Labels.encode("hearth/test/v1", Arrays.copyOf(bytes, i), Arrays.copyOfRange(bytes, i, bytes.length)))
                .isNotEqualTo(Labels.encode("hearth/test/v1", Arrays.copyOf(bytes, j),
                        Arrays.copyOfRange(bytes, j, bytes.length)));
    }

    @Property
    void encode_labelCharactersMovedIntoFirstPart_neverEncodeEqual(
            @ForAll @AlphaChars @StringLength(min = 2, max = 20) String text,
            @ForAll @IntRange(min = 1, max = 19) int cut,
            @ForAll @Size(max = 10) byte[] tail) {
        Assume.that(cut < text.length());
        byte[] moved = (text.substring(cut)).getBytes(StandardCharsets.UTF_8);
        byte[] firstPart = Arrays.copyOf(moved, moved.length + tail.length);
        System.arraycopy(tail, 0, firstPart, moved.length, tail.length);
        assertThat(Labels.encode(text.substring(0, cut), firstPart)).isNotEqualTo(Labels.encode(text, tail));
    }
}
