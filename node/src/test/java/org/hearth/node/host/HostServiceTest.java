package org.hearth.node.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hearth.node.host.HostFixtures.caller;
import static org.hearth.node.host.HostFixtures.envelope;
import static org.hearth.node.host.HostFixtures.fetch;
import static org.hearth.node.host.HostFixtures.relay;
import static org.hearth.node.host.HostFixtures.tag;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.hearth.core.identity.Address;
import org.hearth.core.wire.WireCodec;
import org.hearth.core.wire.proto.FetchRequest;
import org.hearth.core.wire.proto.FetchResponse;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.hearth.core.wire.proto.HostError.Code;
import org.hearth.core.wire.proto.HostError;
import org.hearth.core.wire.proto.HostedEnvelope;
import org.hearth.core.wire.proto.PeerMessage;
import org.hearth.core.wire.proto.RelayRequest;
import org.hearth.core.wire.proto.RelayResponse;
import org.hearth.node.store.Database;
import org.hearth.node.testkit.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostServiceTest {
    static final Address ALICE = caller(1);
    static final Address BOB = caller(2);
    static final ByteString TAG_A = tag(1);
    static final ByteString TAG_B = tag(2);

    @TempDir
    Path dir;
    final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));
    Database db;
    HostServiceImpl host;

    @BeforeEach
    void open() {
        db = HostFixtures.openStore(dir);
        host = start(HostLimits.DEFAULT);
    }

    @AfterEach
    void close() {
        host.close();
        db.close();
    }

    private HostServiceImpl start(HostLimits limits) {
        return start(limits, HostAccess.OPEN);
    }

    private HostServiceImpl start(HostLimits limits, HostAccess access) {
        if (host != null) {
            host.close();
        }
        host = (HostServiceImpl) HostService.open(db, limits, access, clock);
        return host;
    }

    private RelayResponse relayed(Address from, GroupEnvelope e) {
        return host.relay(from, relay(42, e)).join();
    }

    private FetchResponse fetched(FetchRequest.Builder request) {
        return host.fetch(ALICE, request.build()).join();
    }

    private static Code code(RelayResponse r) {
        return r.hasError() ? r.getError().getCode() : null;
    }

    @Test
    void relay_thenFetch_returnsTheEnvelope() {
        GroupEnvelope e = envelope(TAG_A, 1);

        RelayResponse stored = host.relay(ALICE, relay(42, e)).join();
        FetchResponse page = host.fetch(BOB, fetch(TAG_A).setRequestId(9).build()).join();

        assertThat(stored.hasError()).isFalse();
        assertThat(stored.getRequestId()).isEqualTo(42);
        assertThat(page.getRequestId()).isEqualTo(9);
        assertThat(page.getEnvelopesList()).extracting(HostedEnvelope::getEnvelope).containsExactly(e);
        assertThat(page.getNextCursor()).isEqualTo(page.getEnvelopes(0).getSeq());
        assertThat(page.getMore()).isFalse();
        assertThat(page.hasError()).isFalse();
    }

    @Test
    void relay_sameEnvelopeTwice_storesOnceAndAcknowledgesBoth() {
        GroupEnvelope e = envelope(TAG_A, 1);

        RelayResponse first = relayed(ALICE, e);
        long used = host.usedBytes();
        RelayResponse second = relayed(BOB, e);

        assertThat(first.hasError()).isFalse();
        assertThat(second.hasError()).isFalse();
        assertThat(fetched(fetch(TAG_A)).getEnvelopesCount()).isEqualTo(1);
        assertThat(host.usedBytes()).isEqualTo(used).isEqualTo(HostLimits.storageCost(e.getSerializedSize()));
    }

    @Test
    void relay_sameEnvelopeWithUnknownField_isStoredOnceWithoutIt() {
        GroupEnvelope plain = envelope(TAG_A, 1);
        GroupEnvelope padded = plain.toBuilder().setUnknownFields(UnknownFieldSet.newBuilder()
                .addField(99, UnknownFieldSet.Field.newBuilder().addVarint(7).build()).build()).build();

        relayed(ALICE, padded);
        relayed(ALICE, plain);

        FetchResponse page = fetched(fetch(TAG_A));
        assertThat(page.getEnvelopesList()).extracting(HostedEnvelope::getEnvelope).containsExactly(plain);
        assertThat(page.getEnvelopes(0).getEnvelope().getUnknownFields().asMap()).isEmpty();
    }

    @Test
    void fetch_1200Envelopes_pagesByLimitAndBytesWithoutLossOrDuplicate() {
        Set<EnvelopeId> relayed = new HashSet<>();
        for (int i = 0; i < 1200; i++) {
            // 1000 small envelopes fill pages by count, 200 large ones fill pages by bytes.
            GroupEnvelope e = envelope(TAG_A, i, i < 1000 ? 16 : 2000);
            relayed.add(EnvelopeId.of(e));
            assertThat(relayed(ALICE, e).hasError()).isFalse();
        }

        List<Long> seqs = new ArrayList<>();
        Set<EnvelopeId> fetched = new HashSet<>();
        List<Integer> pageSizes = new ArrayList<>();
        long cursor = 0;
        FetchResponse page;
        do {
            page = fetched(fetch(TAG_A).setCursor(cursor).setLimit(500));
            // The page must fit one peer message: encode throws if it does not.
            WireCodec.encode(PeerMessage.newBuilder().setVersion(1).setFetchResponse(page).build());
            assertThat(page.getSerializedSize()).isLessThanOrEqualTo(HostLimits.DEFAULT.maxPageBytes() + 64);
            page.getEnvelopesList().forEach(h -> {
                seqs.add(h.getSeq());
                fetched.add(EnvelopeId.of(h.getEnvelope()));
            });
            pageSizes.add(page.getEnvelopesCount());
            cursor = page.getNextCursor();
        } while (page.getMore());

        assertThat(seqs).hasSize(1200).isSorted().doesNotHaveDuplicates();
        assertThat(fetched).isEqualTo(relayed);
        assertThat(pageSizes).startsWith(500, 500); // 500 small envelopes are ~34 KiB: bounded by count
        // 200 × 2 KB cannot share one 56 KiB page: the rest is bounded by bytes.
        assertThat(pageSizes.subList(2, pageSizes.size())).hasSizeGreaterThan(3).allMatch(n -> n > 0 && n < 500);
    }

    @Test
    void fetch_otherTags_areInvisible() {
        for (int i = 0; i < 3; i++) {
            relayed(ALICE, envelope(TAG_A, i));
        }
        for (int i = 0; i < 2; i++) {
            relayed(ALICE, envelope(TAG_B, 100 + i));
        }

        assertThat(fetched(fetch(TAG_A)).getEnvelopesList()).hasSize(3)
                .allMatch(h -> h.getEnvelope().getTag().equals(TAG_A));
        assertThat(fetched(fetch(TAG_B)).getEnvelopesList()).hasSize(2)
                .allMatch(h -> h.getEnvelope().getTag().equals(TAG_B));
        assertThat(fetched(fetch(tag(3))).getEnvelopesList()).isEmpty();
        assertThat(fetched(fetch(TAG_A, TAG_B)).getEnvelopesList()).extracting(HostedEnvelope::getSeq)
                .hasSize(5).isSorted();
    }

    @Test
    void fetch_afterCursor_returnsOnlyLaterAndKeepsCursorWhenEmpty() {
        relayed(ALICE, envelope(TAG_A, 1));
        long first = fetched(fetch(TAG_A)).getNextCursor();
        relayed(ALICE, envelope(TAG_A, 2));

        FetchResponse later = fetched(fetch(TAG_A).setCursor(first));
        FetchResponse none = fetched(fetch(TAG_A).setCursor(later.getNextCursor()));
        FetchResponse beyond = fetched(fetch(TAG_A).setCursor(-1L)); // uint64 max

        assertThat(later.getEnvelopesList()).extracting(h -> h.getEnvelope()).containsExactly(envelope(TAG_A, 2));
        assertThat(none.getEnvelopesList()).isEmpty();
        assertThat(none.getNextCursor()).isEqualTo(later.getNextCursor());
        assertThat(beyond.getEnvelopesList()).isEmpty();
    }

    @Test
    void fetch_limitAboveMaximumOrZero_isServedAsMaximum() {
        start(new HostLimits(48 * 1024, 64, 3, 56 * 1024, HostLimits.DEFAULT.maxWait(), 16,
                HostLimits.DEFAULT.relayRate(), HostLimits.DEFAULT.fetchRate(), 1L << 30));
        for (int i = 0; i < 5; i++) {
            relayed(ALICE, envelope(TAG_A, i));
        }

        assertThat(fetched(fetch(TAG_A).setLimit(1000)).getEnvelopesCount()).isEqualTo(3);
        assertThat(fetched(fetch(TAG_A).setLimit(0)).getEnvelopesCount()).isEqualTo(3);
        assertThat(fetched(fetch(TAG_A).setLimit(-1)).getEnvelopesCount()).isEqualTo(3); // uint32 max
        assertThat(fetched(fetch(TAG_A).setLimit(2)).getMore()).isTrue();
    }

    @Test
    void relay_badSizes_refusedAsMalformedOrTooLarge() {
        GroupEnvelope ok = envelope(TAG_A, 1);
        // tag 1+1+16, nonce 1+1+24, ciphertext 1+3+n: an envelope of exactly 48 KiB
        int fitting = HostLimits.DEFAULT.maxEnvelopeBytes() - 48;

        assertThat(code(relayed(ALICE, ok.toBuilder().setTag(ByteString.copyFrom(new byte[15])).build())))
                .isEqualTo(Code.MALFORMED);
        assertThat(code(relayed(ALICE, ok.toBuilder().setTag(ByteString.copyFrom(new byte[17])).build())))
                .isEqualTo(Code.MALFORMED);
        assertThat(code(relayed(ALICE, ok.toBuilder().setNonce(ByteString.copyFrom(new byte[23])).build())))
                .isEqualTo(Code.MALFORMED);
        assertThat(code(relayed(ALICE, ok.toBuilder().setCiphertext(ByteString.copyFrom(new byte[15])).build())))
                .isEqualTo(Code.MALFORMED);
        assertThat(code(host.relay(ALICE, RelayRequest.newBuilder().setRequestId(1).build()).join()))
                .isEqualTo(Code.MALFORMED);
        assertThat(code(relayed(ALICE, envelope(TAG_A, 2, fitting + 1)))).isEqualTo(Code.TOO_LARGE);
        assertThat(code(relayed(ALICE, envelope(TAG_A, 3, fitting)))).isNull();
        assertThat(envelope(TAG_A, 3, fitting).getSerializedSize()).isEqualTo(48 * 1024);
    }

    @Test
    void fetch_badTags_refusedAsMalformedOrTooLarge() {
        FetchRequest.Builder tooMany = fetch();
        for (int i = 0; i < 65; i++) {
            tooMany.addTags(tag(i));
        }
        FetchRequest.Builder sixtyFour = fetch();
        for (int i = 0; i < 64; i++) {
            sixtyFour.addTags(tag(i));
        }

        assertThat(fetched(tooMany.setCursor(5)).getError().getCode()).isEqualTo(Code.TOO_LARGE);
        assertThat(fetched(tooMany).getNextCursor()).isEqualTo(5);
        assertThat(fetched(fetch()).getError().getCode()).isEqualTo(Code.MALFORMED);
        assertThat(fetched(fetch(ByteString.copyFrom(new byte[15]))).getError().getCode()).isEqualTo(Code.MALFORMED);
        assertThat(fetched(sixtyFour).hasError()).isFalse();
    }

    @Test
    void relay_burstSpent_rateLimitedUntilTheClockRefills() {
        start(HostLimits.DEFAULT.withRelayRate(new HostLimits.Rate(2, 3)));
        for (int i = 0; i < 3; i++) {
            assertThat(code(relayed(ALICE, envelope(TAG_A, i)))).isNull();
        }

        assertThat(code(relayed(ALICE, envelope(TAG_A, 10)))).isEqualTo(Code.RATE_LIMITED);
        assertThat(code(relayed(BOB, envelope(TAG_A, 11)))).isNull(); // per caller
        clock.advance(java.time.Duration.ofMillis(499));
        assertThat(code(relayed(ALICE, envelope(TAG_A, 12)))).isEqualTo(Code.RATE_LIMITED);
        clock.advance(java.time.Duration.ofMillis(1));
        assertThat(code(relayed(ALICE, envelope(TAG_A, 13)))).isNull();
        assertThat(code(relayed(ALICE, envelope(TAG_A, 14)))).isEqualTo(Code.RATE_LIMITED);
        clock.advance(java.time.Duration.ofHours(1));
        for (int i = 0; i < 3; i++) {
            assertThat(code(relayed(ALICE, envelope(TAG_A, 20 + i)))).isNull(); // refills up to the burst only
        }
        assertThat(code(relayed(ALICE, envelope(TAG_A, 30)))).isEqualTo(Code.RATE_LIMITED);
        assertThat(fetched(fetch(TAG_A)).getEnvelopesCount()).isEqualTo(8); // refused relays stored nothing
    }

    @Test
    void fetch_burstSpent_rateLimitedUntilTheClockRefills() {
        start(HostLimits.DEFAULT.withFetchRate(new HostLimits.Rate(1, 2)));

        assertThat(fetched(fetch(TAG_A)).hasError()).isFalse();
        assertThat(fetched(fetch(TAG_A)).hasError()).isFalse();
        FetchResponse limited = fetched(fetch(TAG_A).setRequestId(77));
        clock.advance(java.time.Duration.ofSeconds(1));

        assertThat(limited.getError().getCode()).isEqualTo(Code.RATE_LIMITED);
        assertThat(limited.getRequestId()).isEqualTo(77);
        assertThat(fetched(fetch(TAG_A)).hasError()).isFalse();
        assertThat(host.fetch(BOB, fetch(TAG_A).build()).join().hasError()).isFalse();
    }

    @Test
    void relay_quotaFull_quotaExceededButStoredEnvelopeStillAcknowledged() {
        GroupEnvelope e = envelope(TAG_A, 0);
        start(HostLimits.DEFAULT.withQuotaBytes(3 * HostLimits.storageCost(e.getSerializedSize())));
        for (int i = 0; i < 3; i++) {
            assertThat(code(relayed(ALICE, envelope(TAG_A, i)))).isNull();
        }

        assertThat(code(relayed(ALICE, envelope(TAG_A, 3)))).isEqualTo(Code.QUOTA_EXCEEDED);
        assertThat(code(relayed(ALICE, envelope(TAG_A, 1)))).isNull(); // a retry of a stored one
        assertThat(fetched(fetch(TAG_A)).getEnvelopesCount()).isEqualTo(3);
    }

    @Test
    void quota_afterRestart_countsWhatIsStored() {
        GroupEnvelope e = envelope(TAG_A, 0);
        HostLimits limits = HostLimits.DEFAULT.withQuotaBytes(2 * HostLimits.storageCost(e.getSerializedSize()));
        start(limits);
        relayed(ALICE, envelope(TAG_A, 0));
        relayed(ALICE, envelope(TAG_A, 1));
        long used = host.usedBytes();
        host.close();
        db.close();

        db = HostFixtures.openStore(dir);
        host = null;
        start(limits);

        assertThat(host.usedBytes()).isEqualTo(used);
        assertThat(code(relayed(ALICE, envelope(TAG_A, 2)))).isEqualTo(Code.QUOTA_EXCEEDED);
        assertThat(fetched(fetch(TAG_A)).getEnvelopesCount()).isEqualTo(2);
    }

    @Test
    void relay_accessRefuses_answersWithItsErrorAndStoresNothing() {
        HostError notWriter = HostErrors.of(Code.NOT_A_WRITER, "not a writer");
        start(HostLimits.DEFAULT, new HostAccess() {
            @Override
            public Optional<HostError> checkRelay(Address from, GroupEnvelope envelope) {
                return from.equals(BOB) ? Optional.of(notWriter) : Optional.empty();
            }

            @Override
            public Optional<HostError> checkFetch(Address from, FetchRequest request) {
                return from.equals(BOB) ? Optional.of(HostErrors.of(Code.NOT_A_READER, "no")) : Optional.empty();
            }
        });

        assertThat(relayed(BOB, envelope(TAG_A, 1)).getError()).isEqualTo(notWriter);
        assertThat(host.fetch(BOB, fetch(TAG_A).build()).join().getError().getCode()).isEqualTo(Code.NOT_A_READER);
        assertThat(fetched(fetch(TAG_A)).getEnvelopesList()).isEmpty();
    }

    @Test
    void relay_afterClose_refusedNotThrown() {
        host.close();

        RelayResponse r = relayed(ALICE, envelope(TAG_A, 1));
        FetchResponse f = fetched(fetch(TAG_A));

        assertThat(r.getError().getCode()).isEqualTo(Code.CODE_UNSPECIFIED);
        assertThat(f.getError().getCode()).isEqualTo(Code.CODE_UNSPECIFIED);
    }

    @Test
    void relay_storeClosed_answersWithErrorAndReleasesQuota() {
        db.close();

        RelayResponse r = relayed(ALICE, envelope(TAG_A, 1));
        FetchResponse f = fetched(fetch(TAG_A));

        assertThat(r.getError().getCode()).isEqualTo(Code.CODE_UNSPECIFIED);
        assertThat(f.getError().getCode()).isEqualTo(Code.CODE_UNSPECIFIED);
        assertThat(host.usedBytes()).isZero();
    }
}
