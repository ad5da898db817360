package org.hearth.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class HashTest {
    private static final HexFormat HEX = HexFormat.of();

    /** FIPS 180-2 examples. */
    @Test
    void sha256_standardExamples_matchPublishedDigests() {
        assertThat(HEX.formatHex(Hash.sha256(new byte[0])))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(HEX.formatHex(Hash.sha256("abc".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(HEX.formatHex(Hash.sha256(
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    }

    /** FIPS 180-2: one million 'a'. */
    @Test
    void sha256_millionA_matchesPublishedDigest() {
        assertThat(HEX.formatHex(Hash.sha256("a".repeat(1_000_000).getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    }

    /** The JDK's digest and BouncyCastle's are the same function, at every length around the block boundaries. */
    @Test
    void sha256_anyLength_equalsBouncyCastle() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(180);
        for (int n = 0; n < 300; n++) {
            byte[] input = new byte[n < 200 ? n : random.nextInt(100_000)];
            random.nextBytes(input);
            org.bouncycastle.crypto.digests.SHA256Digest bc = new org.bouncycastle.crypto.digests.SHA256Digest();
            bc.update(input, 0, input.length);
            byte[] expected = new byte[32];
            bc.doFinal(expected, 0);
            assertThat(Hash.sha256(input)).as("length %d", input.length).isEqualTo(expected);
        }
    }

    @Test
    void labelled_anyInput_isSha256OfLabelEncoding() {
        byte[] part = {1, 2, 3};
        assertThat(Hash.labelled("hearth/test-hash/v1", part).toByteArray())
                .isEqualTo(Hash.sha256(Labels.encode("hearth/test-hash/v1", part)));
        assertThat(Hash.labelled("hearth/test-hash/v1").length()).isEqualTo(Hash.LENGTH);
    }

    @Test
    void labelled_otherLabelOrSplit_givesOtherDigest() {
        byte[] ab = {1, 2};
        assertThat(Hash.labelled("hearth/a/v1", ab)).isNotEqualTo(Hash.labelled("hearth/b/v1", ab));
        assertThat(Hash.labelled("hearth/a/v1", ab))
                .isNotEqualTo(Hash.labelled("hearth/a/v1", new byte[] {1}, new byte[] {2}));
    }
}
