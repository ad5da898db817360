package org.hearth.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.hearth.core.bytes.SecretBytes;
import org.hearth.core.testkit.Property;
import org.junit.jupiter.api.Test;

/**
 * Hearth's AEADs take ChaCha20-Poly1305 from the JDK (docs/architecture.md, "Decisions"); BouncyCastle's
 * {@code ChaCha20Poly1305}, which they used before, is the reference here: the same bytes in both directions on
 * random keys, nonces, associated data and lengths (around the 64-byte block and 16-byte Poly1305 boundaries, and
 * up to a 56 KiB page), and each opens what the other sealed.
 */
class AeadBouncyCastleCrossCheckTest {
    private static final int[] BOUNDARY_LENGTHS = {0, 1, 15, 16, 17, 63, 64, 65, 127, 128, 129, 255, 256, 257,
        1023, 1024, 1025, 4096, 4097, 57344};

    @Test
    void chacha20Poly1305_randomInputs_equalsBouncyCastle() {
        Property.forAll(200, r -> crossCheck(Aead.chacha20Poly1305(), r, length(r)));
    }

    @Test
    void xchacha20Poly1305_randomInputs_equalsBouncyCastleComposition() {
        Property.forAll(200, r -> crossCheck(Aead.xchacha20Poly1305(), r, length(r)));
    }

    @Test
    void bothAeads_boundaryLengths_equalBouncyCastle() {
        Random r = new Random(8439);
        for (int length : BOUNDARY_LENGTHS) {
            crossCheck(Aead.chacha20Poly1305(), r, length);
            crossCheck(Aead.xchacha20Poly1305(), r, length);
        }
    }

    /**
     * Both ends of a Noise channel rekey by sealing zeros under the same key and nonce 2^64-1, and the Wycheproof
     * test reseals what it opened: SunJCE refuses to encrypt under its previous key and nonce, so this must still
     * work, and give the same bytes.
     */
    @Test
    void seal_sameKeyAndNonceTwiceOnOneThread_givesSameBytes() throws CryptoException {
        SecretBytes key = SecretBytes.copyOf(new byte[32]);
        byte[] nonce = new byte[12];
        Arrays.fill(nonce, (byte) 0xff);
        byte[] first = Aead.chacha20Poly1305().seal(key, nonce, new byte[0], new byte[32]);
        byte[] second = Aead.chacha20Poly1305().seal(key, nonce, new byte[0], new byte[32]);
        assertThat(second).isEqualTo(first);
        assertThat(Aead.chacha20Poly1305().open(key, nonce, new byte[0], first)).isEqualTo(new byte[32]);
        assertThat(Aead.chacha20Poly1305().seal(key, nonce, new byte[0], new byte[32])).isEqualTo(first);
    }

    /** A refused message must not leave the thread's cipher unusable for the next one. */
    @Test
    void open_afterAuthenticationFailure_nextCallsStillWork() throws CryptoException {
        Random r = new Random(1305);
        SecretBytes key = SecretBytes.copyOf(bytes(r, 32));
        byte[] nonce = bytes(r, 12);
        byte[] aad = bytes(r, 20);
        byte[] plaintext = bytes(r, 4096);
        byte[] sealed = Aead.chacha20Poly1305().seal(key, nonce, aad, plaintext);
        byte[] badTag = sealed.clone();
        badTag[badTag.length - 1] ^= 1;
        byte[] badCiphertext = sealed.clone();
        badCiphertext[100] ^= 1;
        byte[] badAad = aad.clone();
        badAad[0] ^= 1;
        assertThatThrownBy(() -> Aead.chacha20Poly1305().open(key, nonce, aad, badTag))
                .isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> Aead.chacha20Poly1305().open(key, nonce, aad, badCiphertext))
                .isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> Aead.chacha20Poly1305().open(key, nonce, badAad, sealed))
                .isInstanceOf(CryptoException.class);
        assertThat(Aead.chacha20Poly1305().open(key, nonce, aad, sealed)).isEqualTo(plaintext);
        byte[] otherNonce = bytes(r, 12);
        assertThat(Aead.chacha20Poly1305().seal(key, otherNonce, aad, plaintext))
                .isEqualTo(bouncyCastle(true, key.reveal(), otherNonce, aad, plaintext));
    }

    /** One cipher per thread: threads sealing and opening at once under different keys do not mix them up. */
    @Test
    void sealAndOpen_manyThreadsAtOnce_eachEqualsBouncyCastle() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Void>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                long seed = 100 + t;
                Callable<Void> task = () -> {
                    Random r = new Random(seed);
                    for (int i = 0; i < 100; i++) {
                        crossCheck(i % 2 == 0 ? Aead.chacha20Poly1305() : Aead.xchacha20Poly1305(), r,
                                r.nextInt(2000));
                    }
                    return null;
                };
                results.add(pool.submit(task));
            }
            for (Future<Void> f : results) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static int length(Random r) {
        return r.nextInt(4) == 0 ? r.nextInt(70_000) : r.nextInt(600);
    }

    private static void crossCheck(Aead aead, Random r, int length) {
        byte[] k = bytes(r, Aead.KEY_LENGTH);
        SecretBytes key = SecretBytes.copyOf(k);
        byte[] nonce = bytes(r, aead.nonceLength());
        byte[] aad = bytes(r, r.nextInt(3) == 0 ? 0 : r.nextInt(100));
        byte[] plaintext = bytes(r, length);
        byte[] expected = referenceSeal(aead, k, nonce, aad, plaintext);
        byte[] sealed = aead.seal(key, nonce, aad, plaintext);
        assertThat(sealed).as("sealed %d bytes", length).isEqualTo(expected);
        try {
            assertThat(aead.open(key, nonce, aad, expected)).isEqualTo(plaintext);
        } catch (CryptoException e) {
            throw new AssertionError("Hearth refused BouncyCastle's ciphertext of " + length + " bytes", e);
        }
        assertThat(referenceOpen(aead, k, nonce, aad, sealed)).isEqualTo(plaintext);
        byte[] tampered = sealed.clone();
        tampered[r.nextInt(tampered.length)] ^= (byte) (1 << r.nextInt(8));
        assertThatThrownBy(() -> aead.open(key, nonce, aad, tampered)).isInstanceOf(CryptoException.class);
    }

    /** BouncyCastle's ChaCha20-Poly1305 directly, or (XChaCha) with the HChaCha20 subkey and inner nonce. */
    private static byte[] referenceSeal(Aead aead, byte[] key, byte[] nonce, byte[] aad, byte[] plaintext) {
        return aead.nonceLength() == 12 ? bouncyCastle(true, key, nonce, aad, plaintext)
                : bouncyCastle(true, XChaCha20Poly1305Aead.hchacha20(key, nonce), innerNonce(nonce), aad, plaintext);
    }

    private static byte[] referenceOpen(Aead aead, byte[] key, byte[] nonce, byte[] aad, byte[] sealed) {
        return aead.nonceLength() == 12 ? bouncyCastle(false, key, nonce, aad, sealed)
                : bouncyCastle(false, XChaCha20Poly1305Aead.hchacha20(key, nonce), innerNonce(nonce), aad, sealed);
    }

    private static byte[] innerNonce(byte[] nonce) {
        byte[] n = new byte[12];
        System.arraycopy(nonce, 16, n, 4, 8);
        return n;
    }

    private static byte[] bouncyCastle(boolean encrypt, byte[] key, byte[] nonce, byte[] aad, byte[] in) {
        ChaCha20Poly1305 c = new ChaCha20Poly1305();
        c.init(encrypt, new AEADParameters(new KeyParameter(key), Aead.TAG_LENGTH * 8, nonce, aad));
        byte[] out = new byte[c.getOutputSize(in.length)];
        int n = c.processBytes(in, 0, in.length, out, 0);
        try {
            c.doFinal(out, n);
        } catch (InvalidCipherTextException e) {
            throw new AssertionError("BouncyCastle refused the ciphertext", e);
        }
        return out;
    }

    private static byte[] bytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }
}
