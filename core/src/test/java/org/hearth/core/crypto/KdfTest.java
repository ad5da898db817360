package org.hearth.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.hearth.core.bytes.SecretBytes;
import org.junit.jupiter.api.Test;

class KdfTest {
    private static final String LABEL = "hearth/test-kdf/v1";

    @Test
    void hkdf_wycheproofVectors_matchExpectedResults() {
        List<Wycheproof.TestCase> cases = Wycheproof.load("hkdf_sha256_test.json");
        List<String> errors = new ArrayList<>();
        for (Wycheproof.TestCase tc : cases) {
            int size = tc.test().get("size").asInt();
            byte[] okm;
            try {
                okm = Kdf.hkdf(tc.hex("ikm"), tc.hex("salt"), tc.hex("info"), size);
            } catch (RuntimeException e) {
                // Only an output longer than 255 * 32 bytes may be refused; BouncyCastle signals it unchecked.
                if (tc.result() == Wycheproof.Result.VALID) {
                    errors.add(tc.describe() + "unexpected " + e);
                }
                continue;
            }
            if (tc.result() == Wycheproof.Result.INVALID) {
                errors.add(tc.describe() + "size " + size + " was not refused");
            } else if (!Arrays.equals(okm, tc.hex("okm"))) {
                errors.add(tc.describe() + "okm " + Wycheproof.hex(okm));
            }
        }
        assertThat(cases).hasSize(86);
        assertThat(errors).isEmpty();
    }

    /** Truncated-tag groups (tagSize 128) are checked on the leading bytes of the full HMAC, as RFC 2104 §5 says. */
    @Test
    void hmacSha256_wycheproofVectors_matchExpectedResults() {
        List<Wycheproof.TestCase> cases = Wycheproof.load("hmac_sha256_test.json");
        List<String> errors = new ArrayList<>();
        for (Wycheproof.TestCase tc : cases) {
            int tagBytes = tc.groupInt("tagSize") / 8;
            byte[] tag;
            try {
                tag = Arrays.copyOf(Kdf.hmacSha256(tc.hex("key"), tc.hex("msg")), tagBytes);
            } catch (RuntimeException e) {
                errors.add(tc.describe() + "unexpected " + e);
                continue;
            }
            boolean matches = Arrays.equals(tag, tc.hex("tag"));
            switch (tc.result()) {
                case VALID -> {
                    if (!matches) {
                        errors.add(tc.describe() + "tag " + Wycheproof.hex(tag));
                    }
                }
                case INVALID -> {
                    if (matches) {
                        errors.add(tc.describe() + "modified tag matched");
                    }
                }
                case ACCEPTABLE -> {
                    // either outcome is fine
                }
            }
        }
        assertThat(cases).hasSize(174);
        assertThat(errors).isEmpty();
    }

    @Test
    void hmacSha256_anyInput_returns32Bytes() {
        assertThat(Kdf.hmacSha256(new byte[0], new byte[0])).hasSize(32);
        assertThat(Kdf.hmacSha256(new byte[200], new byte[1000])).hasSize(32);
    }

    @Test
    void derive_anyInput_isHkdfOverLabelEncoding() {
        byte[] ikm = new byte[32];
        Arrays.fill(ikm, (byte) 7);
        byte[] context = {1, 2, 3};
        SecretBytes derived = Kdf.derive(SecretBytes.copyOf(ikm), LABEL, 48, context);
        assertThat(derived.reveal()).isEqualTo(Kdf.hkdf(ikm, new byte[0], Labels.encode(LABEL, context), 48));
    }

    @Test
    void derive_otherLabel_givesOtherKey() {
        SecretBytes key = SecretBytes.copyOf(new byte[32]);
        SecretBytes a = Kdf.derive(key, "hearth/test-kdf/v1", 32);
        SecretBytes b = Kdf.derive(key, "hearth/test-kdf/v2", 32);
        assertThat(a.equalsConstantTime(b)).isFalse();
    }

    @Test
    void derive_otherContextSplit_givesOtherKey() {
        SecretBytes key = SecretBytes.copyOf(new byte[32]);
        SecretBytes a = Kdf.derive(key, LABEL, 32, new byte[] {1, 2}, new byte[] {3});
        SecretBytes b = Kdf.derive(key, LABEL, 32, new byte[] {1}, new byte[] {2, 3});
        SecretBytes c = Kdf.derive(key, LABEL, 32, new byte[] {1, 2, 3});
        assertThat(a.equalsConstantTime(b)).isFalse();
        assertThat(a.equalsConstantTime(c)).isFalse();
        assertThat(b.equalsConstantTime(c)).isFalse();
    }

    @Test
    void derive_sameInputs_isDeterministicAndLeavesKeyUsable() {
        SecretBytes key = SecretBytes.copyOf(new byte[] {9, 9, 9});
        SecretBytes a = Kdf.derive(key, LABEL, 32);
        SecretBytes b = Kdf.derive(key, LABEL, 32);
        assertThat(a.equalsConstantTime(b)).isTrue();
        assertThat(key.reveal()).containsExactly(9, 9, 9);
    }
}
