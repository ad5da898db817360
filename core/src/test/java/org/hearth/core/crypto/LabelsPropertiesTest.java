package org.hearth.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hearth.core.testkit.Property.alpha;
import static org.hearth.core.testkit.Property.bytes;
import static org.hearth.core.testkit.Property.forAll;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The label encoding is injective: no two (label, parts) inputs share an encoding. */
class LabelsPropertiesTest {

    private static List<byte[]> parts(Random r, int maxParts, int maxLength) {
        List<byte[]> out = new ArrayList<>();
        int n = r.nextInt(maxParts + 1);
        for (int i = 0; i < n; i++) {
            out.add(bytes(r, maxLength));
        }
        return out;
    }

    @Test
    void encode_anyInput_decodesBackToTheSameLabelAndParts() {
        forAll(1000, r -> {
            String label = alpha(r, 1, 30) + (r.nextBoolean() ? "/é-" : "");
            List<byte[]> parts = parts(r, 5, 20);
            ByteBuffer in = ByteBuffer.wrap(Labels.encode(label, parts.toArray(byte[][]::new)));
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
        });
    }

    @Test
    void encode_differentLabelsOrParts_neverEncodeEqual() {
        forAll(2000, r -> {
            String label1 = alpha(r, 1, 3);
            String label2 = alpha(r, 1, 3);
            List<byte[]> parts1 = parts(r, 3, 3);
            List<byte[]> parts2 = parts(r, 3, 3);
            boolean same = label1.equals(label2) && Arrays.deepEquals(parts1.toArray(), parts2.toArray());
            if (!same) {
                assertThat(Labels.encode(label1, parts1.toArray(byte[][]::new)))
                        .isNotEqualTo(Labels.encode(label2, parts2.toArray(byte[][]::new)));
            }
        });
    }

    @Test
    void encode_sameBytesSplitDifferently_neverEncodeEqual() {
        forAll(1000, r -> {
            byte[] b = bytes(r, 40);
            int i = r.nextInt(b.length + 1);
            int j = r.nextInt(b.length + 1);
            if (i != j) {
                assertThat(Labels.encode("hearth/test/v1", Arrays.copyOf(b, i), Arrays.copyOfRange(b, i, b.length)))
                        .isNotEqualTo(Labels.encode("hearth/test/v1", Arrays.copyOf(b, j),
                                Arrays.copyOfRange(b, j, b.length)));
            }
        });
    }

    @Test
    void encode_labelCharactersMovedIntoFirstPart_neverEncodeEqual() {
        forAll(1000, r -> {
            String text = alpha(r, 2, 20);
            int cut = 1 + r.nextInt(text.length() - 1);
            byte[] tail = bytes(r, 10);
            byte[] moved = text.substring(cut).getBytes(StandardCharsets.UTF_8);
            byte[] firstPart = Arrays.copyOf(moved, moved.length + tail.length);
            System.arraycopy(tail, 0, firstPart, moved.length, tail.length);
            assertThat(Labels.encode(text.substring(0, cut), firstPart)).isNotEqualTo(Labels.encode(text, tail));
        });
    }
}
