package org.hearth.core.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.Random;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.bytes.SecretBytes;
import org.hearth.core.crypto.CryptoException;
import org.hearth.core.crypto.Ed25519;
import org.hearth.core.crypto.RandomSource;
import org.junit.jupiter.api.Test;

class IdentityTest {
    private static final String RFC8032_SEED = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";

    @Test
    void fromSeed_rfc8032Seed_givesPublishedKeyAndItsAddress() {
        Identity id = Identity.fromSeed(SecretBytes.copyOf(HexFormat.of().parseHex(RFC8032_SEED)));
        assertThat(id.publicKey().hex()).isEqualTo("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        assertThat(id.address().text()).isEqualTo("25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenl5sid");
    }

    @Test
    void generate_sameSeededRandom_sameIdentity() {
        Identity a = Identity.generate(seeded(5));
        Identity b = Identity.generate(seeded(5));
        Identity c = Identity.generate(seeded(6));
        assertThat(a.address()).isEqualTo(b.address()).isNotEqualTo(c.address());
    }

    @Test
    void sign_anyMessage_verifiesUnderItsAddressAndLabelOnly() {
        Identity id = Identity.generate(seeded(7));
        byte[] message = {1, 2, 3};
        Bytes sig = id.sign("hearth/test-identity/v1", message);
        assertThatCode(() -> id.address().verify("hearth/test-identity/v1", message, sig)).doesNotThrowAnyException();
        assertThatCode(() -> Ed25519.verify(id.publicKey(), "hearth/test-identity/v1", message, sig))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> id.address().verify("hearth/test-identity/v2", message, sig))
                .isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> Identity.generate(seeded(8)).address().verify("hearth/test-identity/v1", message, sig))
                .isInstanceOf(CryptoException.class);
    }

    @Test
    void toString_anyIdentity_revealsNeitherSeedNorFullAddress() {
        byte[] seed = HexFormat.of().parseHex(RFC8032_SEED);
        Identity id = Identity.fromSeed(SecretBytes.copyOf(seed));
        assertThat(id.toString())
                .doesNotContain(RFC8032_SEED)
                .doesNotContain(RFC8032_SEED.substring(0, 8))
                .doesNotContain(id.address().text())
                .doesNotContain(id.publicKey().hex());
    }

    @Test
    void fromSeed_wrongLength_throwsIllegalArgumentException() {
        assertThatThrownBy(() -> Identity.fromSeed(SecretBytes.copyOf(new byte[31])))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Identity.fromSeed(SecretBytes.copyOf(new byte[64])))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static RandomSource seeded(long seed) {
        Random r = new Random(seed);
        return r::nextBytes;
    }
}
