package org.hearth.core.bytes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class SecretBytesTest {
    private static final byte[] SECRET = HexFormat.of().parseHex("deadbeefcafebabe0123456789abcdef");

    @Test
    void toString_anySecret_neverContainsTheBytes() {
        String s = SecretBytes.copyOf(SECRET).toString();
        String hex = HexFormat.of().formatHex(SECRET);
        assertThat(s).doesNotContainIgnoringCase(hex.substring(0, 8))
                .doesNotContainIgnoringCase(hex.substring(24))
                .doesNotContain(Arrays.toString(SECRET).substring(1, 12))
                .doesNotContain(java.util.Base64.getEncoder().encodeToString(SECRET).substring(0, 8))
                .contains("redacted");
        assertThat(s.toLowerCase(Locale.ROOT)).doesNotContain("dead", "beef", "cafe");
    }

    @Test
    void destroy_adoptedArray_isWipedAndRevealRefused() {
        byte[] data = SECRET.clone();
        SecretBytes s = SecretBytes.adopt(data);
        assertThat(s.isDestroyed()).isFalse();
        s.destroy();
        assertThat(s.isDestroyed()).isTrue();
        assertThat(data).containsOnly(0);
        assertThatThrownBy(s::reveal).isInstanceOf(IllegalStateException.class);
        assertThat(s.length()).isEqualTo(SECRET.length);
    }

    @Test
    void copyOf_sourceWipedAfterwards_keepsSecret() {
        byte[] source = SECRET.clone();
        SecretBytes s = SecretBytes.copyOf(source);
        Arrays.fill(source, (byte) 0);
        assertThat(s.reveal()).isEqualTo(SECRET);
    }

    @Test
    void reveal_resultWiped_keepsSecret() {
        SecretBytes s = SecretBytes.copyOf(SECRET);
        byte[] revealed = s.reveal();
        Arrays.fill(revealed, (byte) 0);
        assertThat(s.reveal()).isEqualTo(SECRET);
        assertThat(s.reveal()).isNotSameAs(s.reveal());
    }

    /** Timing cannot be asserted reliably in a unit test; the implementation delegates to MessageDigest.isEqual. */
    @Test
    void equalsConstantTime_contents_comparedByValue() {
        SecretBytes a = SecretBytes.copyOf(SECRET);
        assertThat(a.equalsConstantTime(SecretBytes.copyOf(SECRET))).isTrue();
        assertThat(a.equalsConstantTime(a)).isTrue();
        byte[] lastByteDiffers = SECRET.clone();
        lastByteDiffers[lastByteDiffers.length - 1] ^= 1;
        assertThat(a.equalsConstantTime(SecretBytes.copyOf(lastByteDiffers))).isFalse();
        assertThat(a.equalsConstantTime(SecretBytes.copyOf(Arrays.copyOf(SECRET, SECRET.length - 1)))).isFalse();
        assertThat(a.equalsConstantTime(SecretBytes.copyOf(new byte[0]))).isFalse();
    }

    @Test
    void equals_twoSecretsWithSameContent_notEqualByObjectEquality() {
        // Equality of secrets is only through equalsConstantTime, never through equals (or a hash-keyed map).
        assertThat(SecretBytes.copyOf(SECRET)).isNotEqualTo(SecretBytes.copyOf(SECRET));
    }
}
