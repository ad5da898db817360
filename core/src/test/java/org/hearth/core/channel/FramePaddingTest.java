package org.hearth.core.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hearth.core.testkit.Property.forAll;

import java.util.Random;
import org.hearth.core.crypto.Aead;
import org.hearth.core.wire.MalformedMessageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FramePaddingTest {
    private static final int[] BUCKETS = {256, 1024, 4096, 16384, 65535};

    private static byte[] payload(int length) {
        byte[] p = new byte[length];
        new Random(length).nextBytes(p);
        return p;
    }

    /** Plaintext frame of {@code bucket} ciphertext bytes whose length field says {@code length}. */
    private static byte[] frame(int bucket, int length) {
        byte[] plain = new byte[bucket - Aead.TAG_LENGTH];
        plain[0] = (byte) (length >>> 8);
        plain[1] = (byte) length;
        return plain;
    }

    @ParameterizedTest(name = "{0} bytes -> {1}")
    @CsvSource({"0,256", "1,256", "237,256", "238,256", "239,1024", "1006,1024", "1007,4096", "4078,4096",
            "4079,16384", "16366,16384", "16367,65535", "65517,65535"})
    void pad_payloadLength_smallestBucketThatFitsAndRoundTrips(int length, int bucket) throws Exception {
        byte[] payload = payload(length);
        byte[] plain = FramePadding.pad(payload);
        assertThat(plain.length + Aead.TAG_LENGTH).isEqualTo(bucket);
        assertThat(FramePadding.isBucketSize(plain.length + Aead.TAG_LENGTH)).isTrue();
        assertThat(FramePadding.unpad(plain)).isEqualTo(payload);
    }

    @Test
    void pad_maxPayload_is65517Bytes() {
        assertThat(FramePadding.MAX_PAYLOAD).isEqualTo(65517);
        assertThat(FramePadding.MAX_CIPHERTEXT).isEqualTo(65535);
    }

    @Test
    void pad_payloadOf65518Bytes_throwsIllegalArgument() {
        assertThatThrownBy(() -> FramePadding.pad(new byte[65518])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void unpad_paddedRandomPayload_equalsOriginalInSmallestBucket() {
        forAll(300, r -> {
            int length = r.nextInt(FramePadding.MAX_PAYLOAD + 1);
            byte[] payload = new byte[length];
            r.nextBytes(payload);
            byte[] plain = FramePadding.pad(payload);
            int bucket = plain.length + Aead.TAG_LENGTH;
            assertThat(FramePadding.isBucketSize(bucket)).isTrue();
            for (int smaller : BUCKETS) {
                if (smaller < bucket) {
                    assertThat(length + 2 + Aead.TAG_LENGTH).as("a smaller bucket fits").isGreaterThan(smaller);
                }
            }
            try {
                assertThat(FramePadding.unpad(plain)).isEqualTo(payload);
            } catch (MalformedMessageException e) {
                throw new AssertionError("padded payload of " + length + " bytes refused", e);
            }
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 100, 239, 241, 1007, 1009, 4079, 4081, 16367, 16369, 65518, 65520, 70000})
    void unpad_plaintextNotOfBucketSize_throwsMalformed(int size) {
        assertThatThrownBy(() -> FramePadding.unpad(new byte[size]))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("size");
    }

    @Test
    void unpad_lengthFieldOneLargerThanFrame_throwsMalformed() {
        for (int bucket : BUCKETS) {
            int room = bucket - Aead.TAG_LENGTH - 2;
            assertThatThrownBy(() -> FramePadding.unpad(frame(bucket, room + 1))).as("bucket %d", bucket)
                    .isInstanceOf(MalformedMessageException.class).hasMessageContaining("length");
        }
    }

    @Test
    void unpad_lengthFieldMaxUnsigned_throwsMalformed() {
        for (int bucket : BUCKETS) {
            assertThatThrownBy(() -> FramePadding.unpad(frame(bucket, 0xFFFF))).as("bucket %d", bucket)
                    .isInstanceOf(MalformedMessageException.class).hasMessageContaining("length");
        }
    }

    @Test
    void unpad_lengthFieldFillingFrameExactly_returnsWholePayload() throws Exception {
        for (int bucket : BUCKETS) {
            int room = bucket - Aead.TAG_LENGTH - 2;
            assertThat(FramePadding.unpad(frame(bucket, room))).hasSize(room);
        }
    }

    @Test
    void unpad_nonZeroPadding_throwsMalformed() {
        byte[] plain = FramePadding.pad(payload(10));
        for (int at : new int[] {12, 100, plain.length - 1}) {
            byte[] tampered = plain.clone();
            tampered[at] = 1;
            assertThatThrownBy(() -> FramePadding.unpad(tampered)).as("non-zero byte at %d", at)
                    .isInstanceOf(MalformedMessageException.class).hasMessageContaining("padding");
        }
    }

    @Test
    void unpad_payloadInLargerBucketThanNeeded_isAccepted() throws Exception {
        // unpad checks the frame is well formed, not that the sender chose the smallest bucket.
        byte[] plain = frame(65535, 3);
        plain[2] = 7;
        assertThat(FramePadding.unpad(plain)).containsExactly(7, 0, 0);
    }

    @Test
    void unpad_emptyPayloadFrame_returnsEmpty() throws Exception {
        assertThat(FramePadding.unpad(new byte[256 - Aead.TAG_LENGTH])).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {256, 1024, 4096, 16384, 65535})
    void isBucketSize_bucket_true(int size) {
        assertThat(FramePadding.isBucketSize(size)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 16, 240, 255, 257, 1023, 1025, 4095, 16383, 65534, 65536, Integer.MAX_VALUE})
    void isBucketSize_otherSize_false(int size) {
        assertThat(FramePadding.isBucketSize(size)).isFalse();
    }
}
