package org.hearth.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.bytes.SecretBytes;
import org.junit.jupiter.api.Test;

class Ed25519Test {
    private static final HexFormat HEX = HexFormat.of();
    private static final String LABEL = "hearth/test-ed25519/v1";

    /** RFC 8032 §7.1 tests 1–3: secret key, public key, message, signature. */
    private static final String[][] RFC8032 = {
        {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
        {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
                + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
        {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
            "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
            "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
                + "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
    };

    @Test
    void verifier_wycheproofVectors_sameOutcomeAsVerifyRawAndExpected() {
        List<Wycheproof.TestCase> cases = Wycheproof.load("ed25519_test.json");
        List<String> errors = new ArrayList<>();
        for (Wycheproof.TestCase tc : cases) {
            byte[] publicKey = HEX.parseHex(tc.group().get("publicKey").get("pk").asText());
            String raw = outcome(() -> Ed25519.verifyRaw(publicKey, tc.hex("msg"), tc.hex("sig")));
            String decoded = outcome(() -> Ed25519.verifier(publicKey).verifyRaw(tc.hex("msg"), tc.hex("sig")));
            if (!raw.equals(decoded)) {
                errors.add(tc.describe() + "verifyRaw " + raw + ", verifier " + decoded);
            }
            if (tc.result() == Wycheproof.Result.VALID && !decoded.equals("verified")
                    || tc.result() == Wycheproof.Result.INVALID && !decoded.equals("rejected")) {
                errors.add(tc.describe() + "verifier " + decoded + " against " + tc.result());
            }
        }
        assertThat(cases).hasSize(151);
        assertThat(errors).isEmpty();
    }

    @Test
    void verifier_invalidOrShortKey_rejectsEverySignature() throws CryptoException {
        Bytes pk = Ed25519.publicKey(SecretBytes.copyOf(new byte[32]));
        Bytes sig = Ed25519.sign(SecretBytes.copyOf(new byte[32]), pk, "hearth/test/v1", new byte[] {1});
        Ed25519.verifier(pk.toByteArray()).verify("hearth/test/v1", new byte[] {1}, sig);
        byte[] notAPoint = new byte[32];
        java.util.Arrays.fill(notAPoint, (byte) 0xFF);
        assertThatThrownBy(() -> Ed25519.verifier(notAPoint).verify("hearth/test/v1", new byte[] {1}, sig))
                .isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> Ed25519.verifier(new byte[31]).verify("hearth/test/v1", new byte[] {1}, sig))
                .isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> Ed25519.verifier(pk.toByteArray()).verify("hearth/test/v2", new byte[] {1}, sig))
                .isInstanceOf(CryptoException.class);
    }

    private interface Check {
        void run() throws CryptoException;
    }

    private static String outcome(Check c) {
        try {
            c.run();
            return "verified";
        } catch (CryptoException e) {
            return "rejected";
        } catch (RuntimeException e) {
            return "threw " + e;
        }
    }

    @Test
    void verifyRaw_wycheproofVectors_matchExpectedResults() {
        List<Wycheproof.TestCase> cases = Wycheproof.load("ed25519_test.json");
        List<String> errors = new ArrayList<>();
        for (Wycheproof.TestCase tc : cases) {
            byte[] publicKey = HEX.parseHex(tc.group().get("publicKey").get("pk").asText());
            String outcome;
            try {
                Ed25519.verifyRaw(publicKey, tc.hex("msg"), tc.hex("sig"));
                outcome = "verified";
            } catch (CryptoException e) {
                outcome = "rejected";
            } catch (RuntimeException e) {
                errors.add(tc.describe() + "unexpected " + e);
                continue;
            }
            switch (tc.result()) {
                case VALID -> {
                    if (!outcome.equals("verified")) {
                        errors.add(tc.describe() + "valid signature was rejected");
                    }
                }
                case INVALID -> {
                    if (!outcome.equals("rejected")) {
                        errors.add(tc.describe() + "invalid signature verified");
                    }
                }
                case ACCEPTABLE -> {
                    // either outcome is fine
                }
            }
        }
        assertThat(cases).hasSize(151);
        assertThat(errors).isEmpty();
    }

    @Test
    void publicKey_rfc8032Seeds_matchPublishedKeys() {
        for (String[] v : RFC8032) {
            assertThat(Ed25519.publicKey(SecretBytes.copyOf(HEX.parseHex(v[0]))).hex()).isEqualTo(v[1]);
        }
    }

    @Test
    void signRaw_rfc8032Vectors_matchPublishedSignatures() throws CryptoException {
        for (String[] v : RFC8032) {
            byte[] message = HEX.parseHex(v[2]);
            byte[] sig = Ed25519.signRaw(SecretBytes.copyOf(HEX.parseHex(v[0])), Bytes.fromHex(v[1]), message);
            assertThat(HEX.formatHex(sig)).isEqualTo(v[3]);
            Ed25519.verifyRaw(HEX.parseHex(v[1]), message, sig);
        }
    }

    @Test
    void verifyRaw_wrongLengths_throwsCryptoException() {
        byte[] pk = HEX.parseHex(RFC8032[0][1]);
        byte[] sig = HEX.parseHex(RFC8032[0][3]);
        assertThatThrownBy(() -> Ed25519.verifyRaw(java.util.Arrays.copyOf(pk, 31), new byte[0], sig))
                .isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> Ed25519.verifyRaw(pk, new byte[0], java.util.Arrays.copyOf(sig, 65)))
                .isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> Ed25519.verifyRaw(pk, new byte[0], new byte[0]))
                .isInstanceOf(CryptoException.class);
    }

    @Test
    void verify_sameLabelAndMessage_succeeds() {
        SecretBytes seed = seed(1);
        Bytes pk = Ed25519.publicKey(seed);
        byte[] message = "hello".getBytes(StandardCharsets.UTF_8);
        Bytes sig = Ed25519.sign(seed, pk, LABEL, message);
        assertThatCode(() -> Ed25519.verify(pk, LABEL, message, sig)).doesNotThrowAnyException();
    }

    @Test
    void verify_otherLabel_throwsCryptoException() {
        SecretBytes seed = seed(2);
        Bytes pk = Ed25519.publicKey(seed);
        byte[] message = "hello".getBytes(StandardCharsets.UTF_8);
        Bytes sig = Ed25519.sign(seed, pk, LABEL, message);
        assertThatThrownBy(() -> Ed25519.verify(pk, "hearth/test-ed25519/v2", message, sig))
                .isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> Ed25519.verify(pk, "hearth/other-purpose/v1", message, sig))
                .isInstanceOf(CryptoException.class);
    }

    @Test
    void verify_labelledSignatureCheckedAsRaw_throwsCryptoException() {
        SecretBytes seed = seed(3);
        Bytes pk = Ed25519.publicKey(seed);
        byte[] message = "hello".getBytes(StandardCharsets.UTF_8);
        Bytes sig = Ed25519.sign(seed, pk, LABEL, message);
        assertThatThrownBy(() -> Ed25519.verifyRaw(pk.toByteArray(), message, sig.toByteArray()))
                .isInstanceOf(CryptoException.class);
    }

    @Test
    void verify_otherMessageOrKey_throwsCryptoException() {
        SecretBytes seed = seed(4);
        Bytes pk = Ed25519.publicKey(seed);
        Bytes otherPk = Ed25519.publicKey(seed(5));
        byte[] message = "hello".getBytes(StandardCharsets.UTF_8);
        Bytes sig = Ed25519.sign(seed, pk, LABEL, message);
        assertThatThrownBy(() -> Ed25519.verify(pk, LABEL, "hellO".getBytes(StandardCharsets.UTF_8), sig))
                .isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> Ed25519.verify(otherPk, LABEL, message, sig))
                .isInstanceOf(CryptoException.class);
    }

    @Test
    void sign_sameInputs_isDeterministic() {
        SecretBytes seed = seed(6);
        Bytes pk = Ed25519.publicKey(seed);
        byte[] message = {1, 2, 3};
        assertThat(Ed25519.sign(seed, pk, LABEL, message)).isEqualTo(Ed25519.sign(seed, pk, LABEL, message));
    }

    @Test
    void generateSeed_injectedRandom_usesIt() {
        Random random = new Random(7);
        SecretBytes a = Ed25519.generateSeed(random::nextBytes);
        SecretBytes b = Ed25519.generateSeed(new Random(7)::nextBytes);
        assertThat(a.length()).isEqualTo(Ed25519.SEED_LENGTH);
        assertThat(a.equalsConstantTime(b)).isTrue();
    }

    private static SecretBytes seed(long n) {
        byte[] s = new byte[Ed25519.SEED_LENGTH];
        new Random(n).nextBytes(s);
        return SecretBytes.adopt(s);
    }
}
