package org.hearth.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.hearth.core.bytes.SecretBytes;
import org.junit.jupiter.api.Test;

/**
 * RFC 9106's Argon2id vector uses a secret and associated data, which {@link PassphraseKdf} does not take, so
 * it is run against BouncyCastle's generator directly. {@link PassphraseKdf} itself is pinned to outputs of
 * an independent Argon2id: OpenSSL's, through Python {@code cryptography} 48.0.0
 * ({@code Argon2id(salt=bytes(range(16)), length=32, iterations=1, lanes=1, memory_cost=1024)
 * .derive(passphrase.encode("utf-8"))}).
 */
class PassphraseKdfTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] SALT = HEX.parseHex("000102030405060708090a0b0c0d0e0f");

    /** RFC 9106 §5.3. */
    @Test
    void argon2BytesGenerator_rfc9106Argon2idVector_matchesPublishedTag() {
        byte[] password = new byte[32];
        java.util.Arrays.fill(password, (byte) 0x01);
        byte[] salt = new byte[16];
        java.util.Arrays.fill(salt, (byte) 0x02);
        byte[] secret = new byte[8];
        java.util.Arrays.fill(secret, (byte) 0x03);
        byte[] ad = new byte[12];
        java.util.Arrays.fill(ad, (byte) 0x04);
        Argon2BytesGenerator g = new Argon2BytesGenerator();
        g.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(32)
                .withIterations(3)
                .withParallelism(4)
                .withSalt(salt)
                .withSecret(secret)
                .withAdditional(ad)
                .build());
        byte[] tag = new byte[32];
        g.generateBytes(password, tag);
        assertThat(HEX.formatHex(tag)).isEqualTo("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659");
    }

    @Test
    void derive_asciiPassphrase_matchesIndependentArgon2id() {
        SecretBytes key = PassphraseKdf.derive("correct horse battery staple".toCharArray(), SALT, PassphraseKdf.FAST);
        assertThat(HEX.formatHex(key.reveal()))
                .isEqualTo("f0d1525842159cef972608e2f8bc1cb2c8230f81eea76f124789f6beb42403b2");
    }

    @Test
    void derive_nonAsciiPassphrase_matchesIndependentArgon2idOfUtf8() {
        SecretBytes key = PassphraseKdf.derive("pässwörd €".toCharArray(), SALT, PassphraseKdf.FAST);
        assertThat(HEX.formatHex(key.reveal()))
                .isEqualTo("ecbd9f39d98d9d72323cfceafa7535d5bae0013bacccd990bc6a6756d24ab1d8");
    }

    @Test
    void derive_sameInputs_sameKey() {
        SecretBytes a = PassphraseKdf.derive("hunter2-passphrase".toCharArray(), SALT, PassphraseKdf.FAST);
        SecretBytes b = PassphraseKdf.derive("hunter2-passphrase".toCharArray(), SALT.clone(), PassphraseKdf.FAST);
        assertThat(a.length()).isEqualTo(32);
        assertThat(a.equalsConstantTime(b)).isTrue();
    }

    @Test
    void derive_otherSalt_otherKey() {
        byte[] otherSalt = SALT.clone();
        otherSalt[15] ^= 1;
        SecretBytes a = PassphraseKdf.derive("hunter2-passphrase".toCharArray(), SALT, PassphraseKdf.FAST);
        SecretBytes b = PassphraseKdf.derive("hunter2-passphrase".toCharArray(), otherSalt, PassphraseKdf.FAST);
        assertThat(a.equalsConstantTime(b)).isFalse();
    }

    @Test
    void derive_otherPassphrase_otherKey() {
        SecretBytes a = PassphraseKdf.derive("hunter2-passphrase".toCharArray(), SALT, PassphraseKdf.FAST);
        SecretBytes b = PassphraseKdf.derive("hunter2-passphrasf".toCharArray(), SALT, PassphraseKdf.FAST);
        SecretBytes c = PassphraseKdf.derive("hunter2-passphras".toCharArray(), SALT, PassphraseKdf.FAST);
        assertThat(a.equalsConstantTime(b)).isFalse();
        assertThat(a.equalsConstantTime(c)).isFalse();
    }

    @Test
    void derive_otherParams_otherKey() {
        SecretBytes a = PassphraseKdf.derive("hunter2-passphrase".toCharArray(), SALT, PassphraseKdf.FAST);
        SecretBytes b = PassphraseKdf.derive("hunter2-passphrase".toCharArray(), SALT,
                new PassphraseKdf.Params(1024, 2, 1));
        assertThat(a.equalsConstantTime(b)).isFalse();
    }

    @Test
    void derive_saltShorterThan16Bytes_throwsIllegalArgumentException() {
        assertThatThrownBy(() -> PassphraseKdf.derive("x".toCharArray(), new byte[15], PassphraseKdf.FAST))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void params_outOfRange_throwsIllegalArgumentException() {
        assertThatThrownBy(() -> new PassphraseKdf.Params(7, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PassphraseKdf.Params(1024, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PassphraseKdf.Params(1024, 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PassphraseKdf.Params(1024, 1, 17)).isInstanceOf(IllegalArgumentException.class);
    }
}
