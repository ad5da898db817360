package org.hearth.bench;

import java.util.concurrent.TimeUnit;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.bytes.SecretBytes;
import org.hearth.core.crypto.CryptoException;
import org.hearth.core.crypto.Ed25519;
import org.hearth.core.crypto.RandomSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Ed25519 over a 256-byte message: Hearth's wrapper (raw and labelled) and, for comparison, BouncyCastle's
 * rfc8032 verify that the wrapper calls, so the difference is the wrapper's own cost.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class Ed25519Bench {
    static final String LABEL = "hearth/bench/v1";
    static final int MESSAGE_BYTES = 256;

    private SecretBytes seed;
    private Bytes publicKey;
    private byte[] publicKeyRaw;
    private byte[] message;
    private byte[] rawSignature;
    private Bytes labelledSignature;

    @Setup
    public void setUp() throws CryptoException {
        RandomSource random = RandomSource.secure();
        seed = Ed25519.generateSeed(random);
        publicKey = Ed25519.publicKey(seed);
        publicKeyRaw = publicKey.toByteArray();
        message = random.bytes(MESSAGE_BYTES);
        rawSignature = Ed25519.signRaw(seed, publicKey, message);
        labelledSignature = Ed25519.sign(seed, publicKey, LABEL, message);
        // a benchmark of a failing verify would measure the exception path, not the verify
        Ed25519.verifyRaw(publicKeyRaw, message, rawSignature);
        Ed25519.verify(publicKey, LABEL, message, labelledSignature);
    }

    @Benchmark
    public byte[] signRaw() {
        return Ed25519.signRaw(seed, publicKey, message);
    }

    @Benchmark
    public Bytes signLabelled() {
        return Ed25519.sign(seed, publicKey, LABEL, message);
    }

    @Benchmark
    public void verifyRaw() throws CryptoException {
        Ed25519.verifyRaw(publicKeyRaw, message, rawSignature);
    }

    @Benchmark
    public void verifyLabelled() throws CryptoException {
        Ed25519.verify(publicKey, LABEL, message, labelledSignature);
    }

    @Benchmark
    public boolean verifyBouncyCastle() {
        return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(rawSignature, 0, publicKeyRaw, 0, message, 0,
                message.length);
    }
}
