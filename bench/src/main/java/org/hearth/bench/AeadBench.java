package org.hearth.bench;

import java.security.GeneralSecurityException;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.hearth.core.bytes.SecretBytes;
import org.hearth.core.crypto.Aead;
import org.hearth.core.crypto.CryptoException;
import org.hearth.core.crypto.RandomSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * ChaCha20-Poly1305 seal and open at the sizes Hearth uses (1 KiB messages, 4 KiB channel frames, 56 KiB fetch
 * pages), side by side: BouncyCastle's pure-Java {@code ChaCha20Poly1305}, the JDK's SunJCE
 * {@code Cipher("ChaCha20-Poly1305")} (a fresh instance per call, or one per thread re-initialised per call), and
 * Hearth's own {@link Aead}s, whichever implementation they use. Seal uses a counter nonce, as Noise does; open
 * opens the same sealed message with the same nonce each time.
 *
 * <p>By default it runs Hearth's ChaCha20-Poly1305 against BouncyCastle's at 4 KiB (a channel frame), to keep the
 * whole JMH run short; the full comparison is
 * {@code AeadBench -p size=1024,4096,57344 -p impl=bc,jdk,jdkFresh,hearth,hearthX} (docs/benchmarks.md).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class AeadBench {
    private static final byte[] AAD = new byte[32];

    @Param({"4096"})
    public int size;

    /** bc, jdk (one Cipher per thread), jdkFresh (Cipher.getInstance per call), hearth, hearthX (XChaCha). */
    @Param({"bc", "hearth"})
    public String impl;

    private byte[] key;
    private SecretBytes secretKey;
    private byte[] plaintext;
    private byte[] openNonce;
    private byte[] sealed;
    private long counter;
    private Cipher cipher;
    private Aead aead;

    @Setup
    public void setUp() throws Exception {
        RandomSource random = RandomSource.secure();
        key = random.bytes(Aead.KEY_LENGTH);
        secretKey = SecretBytes.copyOf(key);
        plaintext = random.bytes(size);
        cipher = Cipher.getInstance("ChaCha20-Poly1305");
        aead = impl.equals("hearthX") ? Aead.xchacha20Poly1305() : Aead.chacha20Poly1305();
        openNonce = random.bytes(impl.equals("hearthX") ? 24 : 12);
        sealed = impl.startsWith("hearth") ? aead.seal(secretKey, openNonce, AAD, plaintext) : bc(true, openNonce,
                plaintext);
    }

    @Benchmark
    public byte[] seal() throws Exception {
        byte[] nonce = nextNonce();
        return switch (impl) {
            case "bc" -> bc(true, nonce, plaintext);
            case "jdk" -> jdk(cipher, Cipher.ENCRYPT_MODE, nonce, plaintext);
            case "jdkFresh" -> jdk(Cipher.getInstance("ChaCha20-Poly1305"), Cipher.ENCRYPT_MODE, nonce, plaintext);
            default -> aead.seal(secretKey, nonce, AAD, plaintext);
        };
    }

    @Benchmark
    public byte[] open() throws Exception {
        return switch (impl) {
            case "bc" -> bc(false, openNonce, sealed);
            case "jdk" -> jdk(cipher, Cipher.DECRYPT_MODE, openNonce, sealed);
            case "jdkFresh" -> jdk(Cipher.getInstance("ChaCha20-Poly1305"), Cipher.DECRYPT_MODE, openNonce, sealed);
            default -> aead.open(secretKey, openNonce, AAD, sealed);
        };
    }

    private byte[] nextNonce() {
        byte[] nonce = new byte[openNonce.length];
        long n = ++counter;
        for (int i = 0; i < 8; i++) {
            nonce[nonce.length - 8 + i] = (byte) (n >>> (8 * i));
        }
        return nonce;
    }

    private byte[] bc(boolean encrypt, byte[] nonce, byte[] in) throws CryptoException {
        ChaCha20Poly1305 c = new ChaCha20Poly1305();
        c.init(encrypt, new AEADParameters(new KeyParameter(key), 128, nonce, AAD));
        byte[] out = new byte[c.getOutputSize(in.length)];
        int n = c.processBytes(in, 0, in.length, out, 0);
        try {
            c.doFinal(out, n);
        } catch (InvalidCipherTextException e) {
            throw new CryptoException("authentication failed");
        }
        return out;
    }

    private byte[] jdk(Cipher c, int mode, byte[] nonce, byte[] in) throws GeneralSecurityException {
        c.init(mode, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce));
        c.updateAAD(AAD);
        return c.doFinal(in);
    }
}
