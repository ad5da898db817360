package org.hearth.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.hearth.core.bytes.SecretBytes;
import org.junit.jupiter.api.Test;

class ChaCha20Poly1305AeadTest extends AeadContractTest {
    private static final HexFormat HEX = HexFormat.of();

    @Override
    Aead aead() {
        return Aead.chacha20Poly1305();
    }

    @Override
    String vectorFile() {
        return "chacha20_poly1305_test.json";
    }

    @Override
    int expectedVectorCount() {
        return 325;
    }

    @Override
    int expectedNonceLength() {
        return 12;
    }

    /** RFC 8439 §2.8.2, pinned on its own so that a failure names the RFC rather than a tcId. */
    @Test
    void seal_rfc8439Example_matchesPublishedCiphertext() {
        byte[] sealed = aead().seal(
                SecretBytes.copyOf(HEX.parseHex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f")),
                HEX.parseHex("070000004041424344454647"),
                HEX.parseHex("50515253c0c1c2c3c4c5c6c7"),
                ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future,"
                        + " sunscreen would be it.").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(HEX.formatHex(sealed)).isEqualTo(
                "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
                        + "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
                        + "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
                        + "3ff4def08e4b7a9de576d26586cec64b6116"
                        + "1ae10b594f09e26a7e902ecbd0600691");
    }
}
