package org.hearth.bench;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.chat.ChatOverlay;
import org.hearth.core.crypto.CryptoException;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.group.EpochKey;
import org.hearth.core.group.GroupId;
import org.hearth.core.group.GroupMessages;
import org.hearth.core.identity.Identity;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.proto.GroupEnvelope;
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
 * A group message of 256 characters with one parent: sealing (sign, pad, derive key and tag, XChaCha20-Poly1305)
 * and opening (tag check, decrypt, parse, verify). The nonce comes from the OS CSPRNG, as in production.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class GroupMessagesBench {
    static final int TEXT_CHARS = 256;

    private RandomSource random;
    private Identity sender;
    private EpochKey key;
    private List<Bytes> parents;
    private ChatOverlay overlay;
    private Instant sentAt;
    private GroupEnvelope sealed;

    @Setup
    public void setUp() throws CryptoException, MalformedMessageException {
        random = RandomSource.secure();
        sender = Identity.generate(random);
        key = new EpochKey(GroupId.random(random), 7, Bytes.wrap(random.bytes(32)), EpochKey.fresh(random));
        parents = List.of(Bytes.wrap(random.bytes(32)));
        overlay = ChatOverlay.text("x".repeat(TEXT_CHARS));
        sentAt = Instant.parse("2025-01-01T00:00:00Z");
        sealed = seal();
        GroupMessages.open(sealed, key);
    }

    @Benchmark
    public GroupEnvelope seal() {
        return GroupMessages.seal(sender, key, sentAt, parents, overlay, Optional.empty(), random);
    }

    @Benchmark
    public GroupMessages.Opened open() throws CryptoException, MalformedMessageException {
        return GroupMessages.open(sealed, key);
    }
}
