package org.hearth.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.hearth.core.bytes.SecretBytes;
import org.junit.jupiter.api.Test;

/**
 * XChaCha20-Poly1305 is composed here from BouncyCastle's ChaCha core rather than taken from a library, so
 * beyond Wycheproof it is pinned to the draft's own HChaCha20 and AEAD examples.
 */
class XChaCha20Poly1305AeadTest extends AeadContractTest {
    private static final HexFormat HEX = HexFormat.of();

    @Override
    Aead aead() {
        return Aead.xchacha20Poly1305();
    }

    @Override
    String vectorFile() {
        return "xchacha20_poly1305_test.json";
    }

    @Override
    int expectedVectorCount() {
        return 315;
    }

    @Override
    int expectedNonceLength() {
        return 24;
    }

    /** draft-irtf-cfrg-xchacha-03 §2.2.1. */
    @Test
    void hchacha20_draftExample_matchesPublishedSubkey() {
        byte[] key = HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        byte[] nonce = HEX.parseHex("000000090000004a0000000031415927");
        assertThat(HEX.formatHex(XChaCha20Poly1305Aead.hchacha20(key, nonce)))
                .isEqualTo("82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc");
    }

    /** draft-irtf-cfrg-xchacha-03 §A.3.1. */
    @Test
    void seal_draftExample_matchesPublishedCiphertext() throws CryptoException {
        SecretBytes key = SecretBytes.copyOf(
                HEX.parseHex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"));
        byte[] nonce = HEX.parseHex("404142434445464748494a4b4c4d4e4f5051525354555657");
        byte[] aad = HEX.parseHex("50515253c0c1c2c3c4c5c6c7");
        byte[] plaintext = ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the"
                + " future, sunscreen would be it.").getBytes(StandardCharsets.US_ASCII);
        String expected = "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb"
                + "731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452"
                + "2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9"
                + "21f9664c97637da9768812f615c68b13b52e"
                + "c0875924c1c7987947deafd8780acf49";
        byte[] sealed = aead().seal(key, nonce, aad, plaintext);
        assertThat(HEX.formatHex(sealed)).isEqualTo(expected);
        assertThat(aead().open(key, nonce, aad, sealed)).isEqualTo(plaintext);
    }

    /** Every byte of the 24-byte nonce must matter: the first 16 go into HChaCha20, the last 8 into ChaCha20. */
    @Test
    void seal_nonceDifferingInAnyByte_givesDifferentCiphertext() {
        SecretBytes key = SecretBytes.copyOf(new byte[32]);
        byte[] nonce = new byte[24];
        byte[] base = aead().seal(key, nonce, new byte[0], new byte[16]);
        for (int i = 0; i < nonce.length; i++) {
            byte[] other = nonce.clone();
            other[i] = 1;
            assertThat(aead().seal(key, other, new byte[0], new byte[16])).as("nonce byte %d", i).isNotEqualTo(base);
        }
    }
}
