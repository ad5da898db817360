package org.hearth.node.managed;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.crypto.PassphraseKdf;
import org.hearth.core.identity.Address;
import org.hearth.core.wire.proto.FetchRequest;
import org.hearth.core.wire.proto.FetchResponse;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.hearth.core.wire.proto.HostError;
import org.hearth.core.wire.proto.HostedEnvelope;
import org.hearth.core.wire.proto.RelayRequest;
import org.hearth.core.wire.proto.RelayResponse;
import org.hearth.node.host.HostAccess;
import org.hearth.node.host.HostLimits;
import org.hearth.node.host.HostService;
import org.hearth.node.store.Database;
import org.hearth.node.testkit.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link HostService#prune}, the primitive under a managed host's message retention, on a real store: by count
 * across a group's tags, by age, leaving other groups alone, and giving the space back to the quota.
 */
class HostPruneTest {
    private static final Address CALLER = Address.of(Bytes.wrap(filled(32, 0x11)));
    private static final ByteString A = ByteString.copyFrom(filled(16, 0xA1));
    private static final ByteString B = ByteString.copyFrom(filled(16, 0xB2));
    private static final ByteString OTHER = ByteString.copyFrom(filled(16, 0x0C));

    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private Database db;
    private HostService host;
    private long seed;

    @BeforeEach
    void open() throws Exception {
        db = Database.open(dir, "pw".toCharArray(), PassphraseKdf.FAST);
        host = HostService.open(db, HostLimits.DEFAULT, HostAccess.OPEN, clock);
    }

    @AfterEach
    void close() {
        host.close();
        db.close();
    }

    @Test
    void prune_keepNewestAcrossTags_keepsTheNewestOfTheGroup() {
        List<GroupEnvelope> sent = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            sent.add(relay(i % 2 == 0 ? A : B)); // two epochs of one group, interleaved
        }

        int deleted = host.prune(tags(A, B), Instant.EPOCH, 3);

        assertThat(deleted).isEqualTo(3);
        assertThat(fetch(A, B)).containsExactlyElementsOf(sent.subList(3, 6));
    }

    @Test
    void prune_fewerThanKept_deletesNothing() {
        List<GroupEnvelope> sent = List.of(relay(A), relay(A));

        assertThat(host.prune(tags(A), Instant.EPOCH, 3)).isZero();
        assertThat(host.prune(tags(A), Instant.EPOCH, 0)).as("no rule at all").isZero();
        assertThat(fetch(A)).containsExactlyElementsOf(sent);
    }

    @Test
    void prune_olderThan_deletesOnlyOlderEnvelopes() {
        GroupEnvelope old1 = relay(A);
        GroupEnvelope old2 = relay(B);
        clock.advance(Duration.ofHours(2));
        GroupEnvelope fresh = relay(A);

        int deleted = host.prune(tags(A, B), clock.instant().minus(Duration.ofHours(1)), 0);

        assertThat(deleted).isEqualTo(2);
        assertThat(fetch(A, B)).containsExactly(fresh).doesNotContain(old1, old2);
    }

    @Test
    void prune_ageAndCount_eitherRuleDeletes() {
        relay(A);
        clock.advance(Duration.ofHours(2));
        GroupEnvelope f1 = relay(A);
        GroupEnvelope f2 = relay(A);
        GroupEnvelope f3 = relay(A);

        int deleted = host.prune(tags(A), clock.instant().minus(Duration.ofHours(1)), 2);

        assertThat(deleted).isEqualTo(2);
        assertThat(fetch(A)).containsExactly(f2, f3).doesNotContain(f1);
    }

    @Test
    void prune_otherGroupsTags_untouched() {
        List<GroupEnvelope> other = List.of(relay(OTHER), relay(OTHER), relay(OTHER));
        relay(A);
        relay(A);
        GroupEnvelope newest = relay(A);

        assertThat(host.prune(tags(A), Instant.EPOCH, 1)).isEqualTo(2);
        assertThat(host.prune(tags(B), Instant.ofEpochMilli(Long.MAX_VALUE), 0)).as("a tag with nothing").isZero();

        assertThat(fetch(A)).containsExactly(newest);
        assertThat(fetch(OTHER)).containsExactlyElementsOf(other);
    }

    @Test
    void prune_everything_likeExpiredKeys() {
        relay(A);
        relay(B);

        assertThat(host.prune(tags(A, B), Instant.ofEpochMilli(Long.MAX_VALUE), 0)).isEqualTo(2);
        assertThat(fetch(A, B)).isEmpty();
    }

    @Test
    void prune_emptyTagList_deletesNothing() {
        relay(A);

        assertThat(host.prune(List.of(), Instant.ofEpochMilli(Long.MAX_VALUE), 1)).isZero();
        assertThat(fetch(A)).hasSize(1);
    }

    @Test
    void prune_fullHost_freesQuotaForNewRelays() {
        GroupEnvelope probe = envelope(A, Long.MAX_VALUE);
        long cost = probe.getSerializedSize() + HostLimits.ROW_OVERHEAD_BYTES;
        host.close();
        host = HostService.open(db, HostLimits.DEFAULT.withQuotaBytes(3 * cost), HostAccess.OPEN, clock);
        relay(A);
        relay(A);
        relay(A);
        RelayResponse full = relayRaw(envelope(A, 1000));
        assertThat(full.getError().getCode()).isEqualTo(HostError.Code.QUOTA_EXCEEDED);

        assertThat(host.prune(tags(A), Instant.EPOCH, 1)).isEqualTo(2);

        assertThat(relayRaw(envelope(A, 1001)).hasError()).as("space given back").isFalse();
        assertThat(relayRaw(envelope(A, 1002)).hasError()).isFalse();
        assertThat(relayRaw(envelope(A, 1003)).getError().getCode()).as("and no more than that")
                .isEqualTo(HostError.Code.QUOTA_EXCEEDED);
    }

    @Test
    void prune_afterReopen_quotaCountsWhatIsLeft() {
        GroupEnvelope probe = envelope(A, Long.MAX_VALUE);
        long cost = probe.getSerializedSize() + HostLimits.ROW_OVERHEAD_BYTES;
        relay(A);
        relay(A);
        relay(A);
        host.prune(tags(A), Instant.EPOCH, 1);
        host.close();
        host = HostService.open(db, HostLimits.DEFAULT.withQuotaBytes(3 * cost), HostAccess.OPEN, clock);

        assertThat(relayRaw(envelope(A, 2001)).hasError()).isFalse();
        assertThat(relayRaw(envelope(A, 2002)).hasError()).isFalse();
        assertThat(relayRaw(envelope(A, 2003)).getError().getCode()).isEqualTo(HostError.Code.QUOTA_EXCEEDED);
    }

    private GroupEnvelope relay(ByteString tag) {
        GroupEnvelope e = envelope(tag, seed++);
        RelayResponse r = relayRaw(e);
        assertThat(r.hasError()).as("stored: %s", r.getError()).isFalse();
        return e;
    }

    private RelayResponse relayRaw(GroupEnvelope e) {
        return host.relay(CALLER, RelayRequest.newBuilder().setRequestId(seed).setEnvelope(e).build()).join();
    }

    private List<GroupEnvelope> fetch(ByteString... tags) {
        FetchResponse r = host.fetch(CALLER, FetchRequest.newBuilder().setRequestId(1).addAllTags(Arrays.asList(tags))
                .build()).join();
        assertThat(r.hasError()).as("fetched: %s", r.getError()).isFalse();
        return r.getEnvelopesList().stream().map(HostedEnvelope::getEnvelope).toList();
    }

    private static List<Bytes> tags(ByteString... tags) {
        return Arrays.stream(tags).map(t -> Bytes.wrap(t.toByteArray())).toList();
    }

    private static GroupEnvelope envelope(ByteString tag, long seed) {
        byte[] nonce = new byte[HostLimits.NONCE_BYTES];
        ByteBuffer.wrap(nonce).putLong(seed);
        byte[] ciphertext = filled(48, 0xC3);
        ByteBuffer.wrap(ciphertext).putLong(seed);
        return GroupEnvelope.newBuilder().setTag(tag).setNonce(ByteString.copyFrom(nonce))
                .setCiphertext(ByteString.copyFrom(ciphertext)).build();
    }

    private static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) value);
        return b;
    }

}
