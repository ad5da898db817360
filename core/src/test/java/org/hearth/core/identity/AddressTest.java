package org.hearth.core.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Random;
import org.bouncycastle.crypto.digests.SHA3Digest;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.bytes.SecretBytes;
import org.hearth.core.crypto.CryptoException;
import org.junit.jupiter.api.Test;

class AddressTest {
    /** RFC 8032 §7.1 test 1 public key. */
    private static final Bytes RFC8032_KEY =
            Bytes.fromHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    /**
     * Its onion address, computed independently (Python: {@code base32(pk ‖ sha3_256(".onion checksum" ‖ pk ‖
     * 03)[:2] ‖ 03)} with hashlib and base64), and the ServiceID that Tor itself reports for this key.
     */
    private static final String RFC8032_ADDRESS = "25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenl5sid";
    /** RFC 8032 test 2 public key and its address, same derivation. */
    private static final Bytes RFC8032_KEY_2 =
            Bytes.fromHex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
    private static final String RFC8032_ADDRESS_2 = "hvabpq7iioevvevxbktu2g36xsojqlgpf3cjndgazvk7ckxumygcmyyd";

    @Test
    void of_rfc8032Keys_matchIndependentlyComputedAddresses() {
        assertThat(Address.of(RFC8032_KEY).text()).isEqualTo(RFC8032_ADDRESS);
        assertThat(Address.of(RFC8032_KEY_2).text()).isEqualTo(RFC8032_ADDRESS_2);
    }

    @Test
    void of_beforeAndAfterItsTextIsComputed_equalsAndOrdersAsTheParsedForm() throws InvalidAddressException {
        Address lazy = Address.of(RFC8032_KEY);
        Address other = Address.of(RFC8032_KEY_2);
        Address parsed = Address.parse(RFC8032_ADDRESS);
        // equality and hashing before any text exists, then ordering (which needs the text)
        assertThat(lazy).isEqualTo(parsed).hasSameHashCodeAs(parsed).isNotEqualTo(other);
        assertThat(Integer.signum(lazy.compareTo(other)))
                .isEqualTo(Integer.signum(RFC8032_ADDRESS.compareTo(RFC8032_ADDRESS_2)));
        assertThat(lazy.text()).isEqualTo(RFC8032_ADDRESS);
        assertThat(lazy).isEqualTo(parsed).hasSameHashCodeAs(parsed);
    }

    @Test
    void parse_knownAddress_givesItsKey() throws InvalidAddressException {
        Address a = Address.parse(RFC8032_ADDRESS);
        assertThat(a.publicKey()).isEqualTo(RFC8032_KEY);
        assertThat(a).isEqualTo(Address.of(RFC8032_KEY));
    }

    @Test
    void parse_textOfRandomKeys_roundTrips() throws InvalidAddressException {
        Random random = new Random(1234);
        for (int i = 0; i < 500; i++) {
            byte[] key = new byte[32];
            random.nextBytes(key);
            Address a = Address.of(Bytes.wrap(key));
            assertThat(a.text()).hasSize(Address.LENGTH).matches("[a-z2-7]{56}").endsWith("d");
            Address parsed = Address.parse(a.text());
            assertThat(parsed).isEqualTo(a);
            assertThat(parsed.publicKey().toByteArray()).isEqualTo(key);
            assertThat(parsed.text()).isEqualTo(a.text());
        }
    }

    @Test
    void parse_onionSuffixOrUpperCase_accepted() throws InvalidAddressException {
        Address expected = Address.of(RFC8032_KEY);
        assertThat(Address.parse(RFC8032_ADDRESS + ".onion")).isEqualTo(expected);
        assertThat(Address.parse(RFC8032_ADDRESS.toUpperCase(Locale.ROOT))).isEqualTo(expected);
        assertThat(Address.parse(RFC8032_ADDRESS.toUpperCase(Locale.ROOT) + ".ONION")).isEqualTo(expected);
        assertThat(Address.parse(" " + RFC8032_ADDRESS + ".onion\n")).isEqualTo(expected);
        assertThat(Address.parse(RFC8032_ADDRESS.toUpperCase(Locale.ROOT)).text()).isEqualTo(RFC8032_ADDRESS);
    }

    @Test
    void parse_wrongLength_throwsWithLength() {
        assertThatThrownBy(() -> Address.parse(RFC8032_ADDRESS.substring(1)))
                .isInstanceOf(InvalidAddressException.class).hasMessageContaining("56").hasMessageContaining("55");
        assertThatThrownBy(() -> Address.parse(RFC8032_ADDRESS + "a"))
                .isInstanceOf(InvalidAddressException.class).hasMessageContaining("57");
        assertThatThrownBy(() -> Address.parse(""))
                .isInstanceOf(InvalidAddressException.class).hasMessageContaining("56");
        assertThatThrownBy(() -> Address.parse(RFC8032_ADDRESS + ".onion.onion"))
                .isInstanceOf(InvalidAddressException.class);
    }

    @Test
    void parse_nonBase32Character_throwsNamingIt() {
        for (char bad : new char[] {'1', '8', '0', '=', '-', 'é'}) {
            String s = RFC8032_ADDRESS.substring(0, 10) + bad + RFC8032_ADDRESS.substring(11);
            assertThatThrownBy(() -> Address.parse(s))
                    .isInstanceOf(InvalidAddressException.class)
                    .hasMessageContaining("'" + bad + "'")
                    .hasMessageContaining("base32");
        }
    }

    @Test
    void parse_wrongVersionByte_throwsUnsupportedVersion() {
        for (int version : new int[] {0, 2, 4, 0xff}) {
            byte[] pk = RFC8032_KEY.toByteArray();
            byte[] sum = checksum(pk, (byte) version); // a well-formed address of another version
            byte[] raw = new byte[35];
            System.arraycopy(pk, 0, raw, 0, 32);
            raw[32] = sum[0];
            raw[33] = sum[1];
            raw[34] = (byte) version;
            assertThatThrownBy(() -> Address.parse(base32(raw)))
                    .isInstanceOf(InvalidAddressException.class)
                    .hasMessageContaining("version");
        }
    }

    @Test
    void parse_flippedChecksumBit_throwsChecksumMismatch() {
        byte[] pk = RFC8032_KEY.toByteArray();
        byte[] sum = checksum(pk, (byte) 3);
        byte[] good = new byte[35];
        System.arraycopy(pk, 0, good, 0, 32);
        good[32] = sum[0];
        good[33] = sum[1];
        good[34] = 3;
        assertThat(base32(good)).isEqualTo(RFC8032_ADDRESS); // the helpers below agree with Address
        for (int bit = 0; bit < 16; bit++) {
            byte[] raw = new byte[35];
            System.arraycopy(pk, 0, raw, 0, 32);
            raw[32] = sum[0];
            raw[33] = sum[1];
            raw[34] = 3;
            raw[32 + bit / 8] ^= (byte) (1 << (bit % 8));
            assertThatThrownBy(() -> Address.parse(base32(raw)))
                    .as("checksum bit %d", bit)
                    .isInstanceOf(InvalidAddressException.class)
                    .hasMessageContaining("checksum");
        }
    }

    @Test
    void parse_typoInKeyPart_throwsChecksumMismatch() {
        String typo = (RFC8032_ADDRESS.charAt(0) == 'a' ? "b" : "a") + RFC8032_ADDRESS.substring(1);
        assertThatThrownBy(() -> Address.parse(typo))
                .isInstanceOf(InvalidAddressException.class).hasMessageContaining("checksum");
    }

    @Test
    void parse_null_throwsInvalidAddressException() {
        assertThatThrownBy(() -> Address.parse(null)).isInstanceOf(InvalidAddressException.class);
    }

    @Test
    void of_keyOfWrongLength_throwsIllegalArgumentException() {
        assertThatThrownBy(() -> Address.of(Bytes.wrap(new byte[31]))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Address.of(Bytes.wrap(new byte[33]))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void equalsAndCompareTo_sameKey_equal() {
        Address a = Address.of(RFC8032_KEY);
        Address b = Address.of(Bytes.fromHex(RFC8032_KEY.hex()));
        Address c = Address.of(RFC8032_KEY_2);
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(c);
        assertThat(a.compareTo(b)).isZero();
        assertThat(a.compareTo(c)).isEqualTo(-c.compareTo(a)).isNotZero();
        assertThat(a.toString()).isEqualTo(RFC8032_ADDRESS);
    }

    @Test
    void scrubbed_anyAddress_showsOnlyAPrefix() {
        String scrubbed = Address.of(RFC8032_KEY).scrubbed();
        assertThat(RFC8032_ADDRESS).startsWith(scrubbed.substring(0, 6));
        assertThat(scrubbed.length()).isLessThan(10);
    }

    @Test
    void verify_signatureByItsIdentity_succeedsAndOtherLabelFails() {
        Identity identity = Identity.fromSeed(SecretBytes.copyOf(new byte[32]));
        byte[] message = "hi".getBytes(StandardCharsets.UTF_8);
        Bytes sig = identity.sign("hearth/test-address/v1", message);
        assertThatCode(() -> identity.address().verify("hearth/test-address/v1", message, sig))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> identity.address().verify("hearth/test-address/v2", message, sig))
                .isInstanceOf(CryptoException.class);
    }

    /** SHA3-256(".onion checksum" ‖ pk ‖ version) per rend-spec-v3 §6, written out independently here. */
    private static byte[] checksum(byte[] pk, byte version) {
        SHA3Digest d = new SHA3Digest(256);
        byte[] prefix = ".onion checksum".getBytes(StandardCharsets.US_ASCII);
        d.update(prefix, 0, prefix.length);
        d.update(pk, 0, pk.length);
        d.update(version);
        byte[] out = new byte[32];
        d.doFinal(out, 0);
        return out;
    }

    /** RFC 4648 base32, lower case, for 35 bytes (exactly 56 characters, no padding). */
    private static String base32(byte[] raw) {
        String alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        java.math.BigInteger n = new java.math.BigInteger(1, raw);
        StringBuilder sb = new StringBuilder();
        for (int i = 55; i >= 0; i--) {
            sb.append(alphabet.charAt(n.shiftRight(i * 5).intValue() & 31));
        }
        return sb.toString();
    }
}
