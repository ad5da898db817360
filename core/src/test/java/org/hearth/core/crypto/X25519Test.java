package org.hearth.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.hearth.core.bytes.SecretBytes;
import org.junit.jupiter.api.Test;

class X25519Test {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void agree_wycheproofVectors_matchExpectedResults() {
        List<Wycheproof.TestCase> cases = Wycheproof.load("x25519_test.json");
        List<String> errors = new ArrayList<>();
        int refusedZero = 0;
        for (Wycheproof.TestCase tc : cases) {
            byte[] expected = tc.hex("shared");
            boolean zeroShared = Arrays.equals(expected, new byte[X25519.KEY_LENGTH]);
            byte[] shared;
            try {
                shared = X25519.agree(SecretBytes.copyOf(tc.hex("private")), tc.hex("public"));
            } catch (CryptoException e) {
                if (zeroShared) {
                    refusedZero++; // Hearth refuses the all-zero secret (RFC 7748 §6.1): intended
                } else if (tc.result() != Wycheproof.Result.ACCEPTABLE) {
                    errors.add(tc.describe() + "refused: " + e.getMessage());
                }
                continue;
            } catch (RuntimeException e) {
                errors.add(tc.describe() + "unexpected " + e);
                continue;
            }
            if (zeroShared) {
                errors.add(tc.describe() + "all-zero shared secret was returned instead of refused");
            } else if (tc.result() == Wycheproof.Result.INVALID) {
                errors.add(tc.describe() + "invalid case accepted");
            } else if (!Arrays.equals(shared, expected)) {
                errors.add(tc.describe() + "shared " + Wycheproof.hex(shared) + ", expected " + Wycheproof.hex(expected));
            }
        }
        assertThat(cases).hasSize(518);
        assertThat(errors).isEmpty();
        assertThat(refusedZero).as("vectors with an all-zero shared secret, all refused").isEqualTo(31);
    }

    @Test
    void agree_rfc7748AliceAndBob_matchPublishedSecret() throws CryptoException {
        X25519.KeyPair alice = X25519.fromPrivate(
                HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
        X25519.KeyPair bob = X25519.fromPrivate(
                HEX.parseHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
        assertThat(alice.publicKey().hex())
                .isEqualTo("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
        assertThat(bob.publicKey().hex())
                .isEqualTo("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        String shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
        assertThat(HEX.formatHex(X25519.agree(alice.privateKey(), bob.publicKey().toByteArray()))).isEqualTo(shared);
        assertThat(HEX.formatHex(X25519.agree(bob.privateKey(), alice.publicKey().toByteArray()))).isEqualTo(shared);
    }

    @Test
    void agree_generatedPairs_agreeOnSameSecret() throws CryptoException {
        Random random = new Random(42);
        X25519.KeyPair a = X25519.generate(random::nextBytes);
        X25519.KeyPair b = X25519.generate(random::nextBytes);
        assertThat(X25519.agree(a.privateKey(), b.publicKey().toByteArray()))
                .isEqualTo(X25519.agree(b.privateKey(), a.publicKey().toByteArray()));
    }

    @Test
    void agree_lowOrderPublicKey_throwsCryptoException() {
        X25519.KeyPair a = X25519.generate(new Random(1)::nextBytes);
        byte[] one = new byte[32];
        one[0] = 1; // u = 1 has order 4: the shared secret is zero for every private key
        assertThatThrownBy(() -> X25519.agree(a.privateKey(), new byte[32])).isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> X25519.agree(a.privateKey(), one)).isInstanceOf(CryptoException.class);
    }

    @Test
    void agree_publicKeyOfWrongLength_throwsCryptoException() {
        X25519.KeyPair a = X25519.generate(new Random(2)::nextBytes);
        assertThatThrownBy(() -> X25519.agree(a.privateKey(), new byte[31])).isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> X25519.agree(a.privateKey(), new byte[33])).isInstanceOf(CryptoException.class);
    }
}
