package org.hearth.bench;

import com.google.protobuf.ByteString;
import java.util.concurrent.TimeUnit;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.WireCodec;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.hearth.core.wire.proto.PeerMessage;
import org.hearth.core.wire.proto.RelayRequest;
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

/** Encoding and bounded, validating decoding of a PeerMessage carrying a RelayRequest with a 1 KiB envelope. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class WireCodecBench {
    static final int CIPHERTEXT_BYTES = 1024;

    private PeerMessage message;
    private byte[] encoded;

    @Setup
    public void setUp() throws MalformedMessageException {
        message = relayRequest(RandomSource.secure(), CIPHERTEXT_BYTES);
        encoded = WireCodec.encode(message);
        WireCodec.decode(encoded);
    }

    static PeerMessage relayRequest(RandomSource random, int ciphertextBytes) {
        GroupEnvelope envelope = GroupEnvelope.newBuilder()
                .setTag(ByteString.copyFrom(random.bytes(16)))
                .setNonce(ByteString.copyFrom(random.bytes(24)))
                .setCiphertext(ByteString.copyFrom(random.bytes(ciphertextBytes)))
                .build();
        return PeerMessage.newBuilder().setVersion(WireCodec.VERSION)
                .setRelayRequest(RelayRequest.newBuilder().setRequestId(42).setEnvelope(envelope))
                .build();
    }

    @Benchmark
    public byte[] encode() {
        return WireCodec.encode(message);
    }

    @Benchmark
    public PeerMessage decode() throws MalformedMessageException {
        return WireCodec.decode(encoded);
    }
}
