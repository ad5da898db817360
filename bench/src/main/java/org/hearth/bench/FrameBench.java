package org.hearth.bench;

import java.util.concurrent.TimeUnit;
import org.hearth.core.channel.ChannelHandshake;
import org.hearth.core.channel.FramePadding;
import org.hearth.core.channel.HandshakeException;
import org.hearth.core.crypto.CryptoException;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.Identity;
import org.hearth.core.noise.CipherState;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.WireCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One transport frame as {@code Connection} sends it: the encoded RelayRequest of {@link WireCodecBench}
 * (about 1.1 KiB, so the 4096-byte bucket) padded with {@link FramePadding} and encrypted with the channel's
 * Noise {@link CipherState}. The cipher states come from a real in-memory {@link ChannelHandshake}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class FrameBench {
    private static final byte[] NO_AD = new byte[0];

    private byte[] payload;
    private ChannelHandshake.Established initiator;
    private ChannelHandshake.Established responder;

    @Setup
    public void setUp() throws HandshakeException {
        RandomSource random = RandomSource.secure();
        payload = WireCodec.encode(WireCodecBench.relayRequest(random, WireCodecBench.CIPHERTEXT_BYTES));
        Identity alice = Identity.generate(random);
        Identity bob = Identity.generate(random);
        ChannelHandshake dialler = ChannelHandshake.initiator(alice, bob.address(), random);
        ChannelHandshake listener = ChannelHandshake.responder(bob, random);
        listener.readFirst(dialler.writeFirst());
        dialler.readSecond(listener.writeSecond());
        listener.readThird(dialler.writeThird());
        initiator = dialler.result();
        responder = listener.result();
    }

    @TearDown
    public void tearDown() {
        initiator.sender().destroy();
        initiator.receiver().destroy();
        responder.sender().destroy();
        responder.receiver().destroy();
    }

    /** The sending side of a frame: pad, then encrypt (advances the sender's nonce). */
    @Benchmark
    public byte[] padAndEncrypt() {
        return initiator.sender().encrypt(NO_AD, FramePadding.pad(payload));
    }

    /** Both sides: pad, encrypt, decrypt, unpad; sender and receiver nonces advance in step. */
    @Benchmark
    public byte[] roundTrip() throws CryptoException, MalformedMessageException {
        byte[] ciphertext = responder.sender().encrypt(NO_AD, FramePadding.pad(payload));
        return FramePadding.unpad(initiator.receiver().decrypt(NO_AD, ciphertext));
    }
}
