package org.hearth.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.hearth.core.bytes.SecretBytes;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link Aead} meets: its Wycheproof file, and the misuse cases the vectors do not cover.
 * One subclass per implementation.
 */
abstract class AeadContractTest {
    private final Random random = new Random(20240501);

    abstract Aead aead();

    abstract String vectorFile();

    abstract int expectedVectorCount();

    abstract int expectedNonceLength();

    @Test
    void sealAndOpen_wycheproofVectors_matchExpectedResults() {
        Aead aead = aead();
        List<Wycheproof.TestCase> cases = Wycheproof.load(vectorFile());
        List<String> errors = new ArrayList<>();
        for (Wycheproof.TestCase tc : cases) {
            String error = tc.groupInt("tagSize") == Aead.TAG_LENGTH * 8
                    ? check(aead, tc)
                    : "tag size " + tc.groupInt("tagSize") + " is not testable through this API";
            if (error != null) {
                errors.add(tc.describe() + error);
            }
        }
        assertThat(cases).hasSize(expectedVectorCount());
        assertThat(errors).isEmpty();
    }

    /** Returns a description of the mismatch, or null when the implementation behaved as the vector expects. */
    private static String check(Aead aead, Wycheproof.TestCase tc) {
        SecretBytes key = SecretBytes.copyOf(tc.hex("key"));
        byte[] iv = tc.hex("iv");
        byte[] aad = tc.hex("aad");
        byte[] msg = tc.hex("msg");
        byte[] sealed = concat(tc.hex("ct"), tc.hex("tag"));
        boolean nonceSupported = iv.length == aead.nonceLength();
        byte[] opened;
        try {
            opened = aead.open(key, iv, aad, sealed);
        } catch (CryptoException e) {
            return tc.result() == Wycheproof.Result.VALID ? "valid ciphertext rejected: " + e.getMessage() : null;
        } catch (IllegalArgumentException e) {
            if (!nonceSupported && tc.result() != Wycheproof.Result.VALID) {
                return sealRejectsNonce(aead, key, iv, aad, msg);
            }
            return "unexpected " + e;
        } catch (RuntimeException e) {
            return "unexpected " + e;
        }
        if (tc.result() == Wycheproof.Result.INVALID) {
            return "invalid ciphertext opened";
        }
        if (!Arrays.equals(opened, msg)) {
            return "opened " + Wycheproof.hex(opened) + ", expected " + Wycheproof.hex(msg);
        }
        byte[] resealed;
        try {
            resealed = aead.seal(key, iv, aad, msg);
        } catch (RuntimeException e) {
            return "seal: unexpected " + e;
        }
        if (!Arrays.equals(resealed, sealed)) {
            return "sealed " + Wycheproof.hex(resealed) + ", expected " + Wycheproof.hex(sealed);
        }
        return null;
    }

    private static String sealRejectsNonce(Aead aead, SecretBytes key, byte[] iv, byte[] aad, byte[] msg) {
        try {
            aead.seal(key, iv, aad, msg);
            return "open refused the " + iv.length + "-byte nonce but seal used it";
        } catch (IllegalArgumentException e) {
            return null;
        } catch (RuntimeException e) {
            return "seal: unexpected " + e;
        }
    }

    @Test
    void nonceLength_always_isTheFixedLength() {
        assertThat(aead().nonceLength()).isEqualTo(expectedNonceLength());
    }

    @Test
    void open_sealedMessage_returnsPlaintext() throws CryptoException {
        SecretBytes key = key();
        byte[] nonce = nonce();
        byte[] plaintext = "a message".getBytes(StandardCharsets.UTF_8);
        byte[] aad = {1, 2, 3};
        byte[] sealed = aead().seal(key, nonce, aad, plaintext);
        assertThat(sealed).hasSize(plaintext.length + Aead.TAG_LENGTH);
        assertThat(aead().open(key, nonce, aad, sealed)).isEqualTo(plaintext);
    }

    @Test
    void open_emptyPlaintext_returnsEmpty() throws CryptoException {
        SecretBytes key = key();
        byte[] nonce = nonce();
        byte[] sealed = aead().seal(key, nonce, new byte[0], new byte[0]);
        assertThat(sealed).hasSize(Aead.TAG_LENGTH);
        assertThat(aead().open(key, nonce, new byte[0], sealed)).isEmpty();
    }

    @Test
    void open_anyFlippedBit_throwsCryptoException() {
        SecretBytes key = key();
        byte[] nonce = nonce();
        byte[] sealed = aead().seal(key, nonce, new byte[0], new byte[] {10, 20, 30, 40});
        for (int bit = 0; bit < sealed.length * 8; bit++) {
            byte[] tampered = sealed.clone();
            tampered[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThatThrownBy(() -> aead().open(key, nonce, new byte[0], tampered))
                    .as("bit %d flipped", bit).isInstanceOf(CryptoException.class);
        }
    }

    @Test
    void open_otherAssociatedData_throwsCryptoException() {
        SecretBytes key = key();
        byte[] nonce = nonce();
        byte[] sealed = aead().seal(key, nonce, new byte[] {1}, new byte[] {10, 20});
        assertThatThrownBy(() -> aead().open(key, nonce, new byte[] {2}, sealed)).isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> aead().open(key, nonce, new byte[0], sealed)).isInstanceOf(CryptoException.class);
    }

    @Test
    void open_otherKeyOrNonce_throwsCryptoException() {
        SecretBytes key = key();
        byte[] nonce = nonce();
        byte[] sealed = aead().seal(key, nonce, new byte[0], new byte[] {10, 20});
        byte[] otherNonce = nonce.clone();
        otherNonce[0] ^= 1;
        assertThatThrownBy(() -> aead().open(key(), nonce, new byte[0], sealed)).isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> aead().open(key, otherNonce, new byte[0], sealed))
                .isInstanceOf(CryptoException.class);
    }

    @Test
    void open_shorterThanTag_throwsCryptoException() {
        SecretBytes key = key();
        byte[] nonce = nonce();
        assertThatThrownBy(() -> aead().open(key, nonce, new byte[0], new byte[Aead.TAG_LENGTH - 1]))
                .isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> aead().open(key, nonce, new byte[0], new byte[0]))
                .isInstanceOf(CryptoException.class);
    }

    @Test
    void seal_wrongNonceOrKeyLength_throwsIllegalArgumentException() {
        SecretBytes key = key();
        byte[] shortNonce = new byte[expectedNonceLength() - 1];
        byte[] longNonce = new byte[expectedNonceLength() + 1];
        assertThatThrownBy(() -> aead().seal(key, shortNonce, new byte[0], new byte[1]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> aead().seal(key, longNonce, new byte[0], new byte[1]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> aead().seal(SecretBytes.copyOf(new byte[16]), nonce(), new byte[0], new byte[1]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void seal_destroyedKey_throwsIllegalStateException() {
        SecretBytes key = key();
        key.destroy();
        assertThatThrownBy(() -> aead().seal(key, nonce(), new byte[0], new byte[1]))
                .isInstanceOf(IllegalStateException.class);
    }

    private SecretBytes key() {
        byte[] k = new byte[Aead.KEY_LENGTH];
        random.nextBytes(k);
        return SecretBytes.adopt(k);
    }

    private byte[] nonce() {
        byte[] n = new byte[aead().nonceLength()];
        random.nextBytes(n);
        return n;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
