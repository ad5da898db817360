package org.hearth.node.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hearth.node.host.HostFixtures.caller;
import static org.hearth.node.host.HostFixtures.envelope;
import static org.hearth.node.host.HostFixtures.fetch;
import static org.hearth.node.host.HostFixtures.relay;
import static org.hearth.node.host.HostFixtures.tag;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.hearth.core.identity.Address;
import org.hearth.core.wire.proto.FetchResponse;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.hearth.core.wire.proto.HostedEnvelope;
import org.hearth.node.store.Database;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Long polls. Waits are bounds, not sleeps: a held fetch that should complete is given seconds to do so, and
 * one that should not is checked right after the relay that must not wake it has been acknowledged (the relay's
 * after-commit signal has run by then).
 */
class LongPollTest {
    static final Address ALICE = caller(1);
    static final Address BOB = caller(2);
    static final ByteString WATCHED = tag(1);
    static final ByteString OTHER = tag(2);

    @TempDir
    Path dir;
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
        return (HostServiceImpl) HostService.open(db, limits, HostAccess.OPEN, Clock.systemUTC());
    }

    private void relayed(GroupEnvelope e) {
        assertThat(host.relay(BOB, relay(1, e)).join().hasError()).isFalse();
    }

    private static FetchResponse await(CompletableFuture<FetchResponse> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    @Test
    void fetch_waiting_completesOnRelayForWatchedTagOnly() throws Exception {
        CompletableFuture<FetchResponse> held = host.fetch(ALICE, fetch(WATCHED).setWaitMs(20_000).build());

        relayed(envelope(OTHER, 1));
        boolean doneAfterOtherTag = held.isDone();
        GroupEnvelope wanted = envelope(WATCHED, 2);
        relayed(wanted);
        FetchResponse page = await(held);

        assertThat(doneAfterOtherTag).isFalse();
        assertThat(page.getEnvelopesList()).extracting(HostedEnvelope::getEnvelope).containsExactly(wanted);
        assertThat(page.getNextCursor()).isEqualTo(page.getEnvelopes(0).getSeq());
        assertThat(host.watchedTags()).isZero();
    }

    @Test
    void fetch_waitingAndNothingArrives_emptyPageAtDeadline() throws Exception {
        long start = System.nanoTime();

        FetchResponse page = await(host.fetch(ALICE, fetch(WATCHED).setCursor(3).setWaitMs(200).build()));

        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(190);
        assertThat(page.getEnvelopesList()).isEmpty();
        assertThat(page.getNextCursor()).isEqualTo(3);
        assertThat(page.getMore()).isFalse();
        assertThat(page.hasError()).isFalse();
        assertThat(host.watchedTags()).isZero();
    }

    @Test
    void fetch_waitingWithBacklog_answersAtOnce() throws Exception {
        relayed(envelope(WATCHED, 1));

        FetchResponse page = await(host.fetch(ALICE, fetch(WATCHED).setWaitMs(25_000).build()));

        assertThat(page.getEnvelopesCount()).isEqualTo(1);
    }

    @Test
    void fetch_waitingOnSeveralTags_wokenByAnyOfThem() throws Exception {
        CompletableFuture<FetchResponse> held = host.fetch(ALICE, fetch(tag(7), tag(8), WATCHED)
                .setWaitMs(20_000).build());

        relayed(envelope(tag(8), 1));

        assertThat(await(held).getEnvelopesList()).extracting(h -> h.getEnvelope().getTag()).containsExactly(tag(8));
        assertThat(host.watchedTags()).isZero();
    }

    @Test
    void fetch_cursorBeyondNewEnvelope_keepsWaitingUntilDeadline() throws Exception {
        relayed(envelope(WATCHED, 1));
        // A cursor past everything: the next relay wakes the poll, but its seq is not after the cursor.
        CompletableFuture<FetchResponse> held = host.fetch(ALICE, fetch(WATCHED).setCursor(1000).setWaitMs(300)
                .build());

        relayed(envelope(WATCHED, 2));

        assertThat(await(held).getEnvelopesList()).isEmpty();
    }

    @Test
    void close_heldFetches_answeredWithEmptyPages() throws Exception {
        List<CompletableFuture<FetchResponse>> held = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            held.add(host.fetch(caller(10 + i), fetch(WATCHED).setCursor(i).setWaitMs(25_000).build()));
        }

        host.close();

        for (int i = 0; i < 5; i++) {
            FetchResponse page = await(held.get(i));
            assertThat(page.getEnvelopesList()).isEmpty();
            assertThat(page.getNextCursor()).isEqualTo(i);
            assertThat(page.hasError()).isFalse();
        }
        assertThat(host.watchedTags()).isZero();
    }

    @Test
    void fetch_moreHeldThanAllowedPerCaller_answeredWithoutWaiting() throws Exception {
        host.close();
        host = start(HostLimits.DEFAULT.withMaxWaitingFetchesPerCaller(2));
        CompletableFuture<FetchResponse> first = host.fetch(ALICE, fetch(WATCHED).setWaitMs(20_000).build());
        CompletableFuture<FetchResponse> second = host.fetch(ALICE, fetch(WATCHED).setWaitMs(20_000).build());

        FetchResponse third = await(host.fetch(ALICE, fetch(WATCHED).setWaitMs(20_000).build()));
        CompletableFuture<FetchResponse> bobs = host.fetch(BOB, fetch(WATCHED).setWaitMs(20_000).build());
        relayed(envelope(WATCHED, 1));

        assertThat(third.getEnvelopesList()).isEmpty();
        assertThat(await(first).getEnvelopesCount()).isEqualTo(1);
        assertThat(await(second).getEnvelopesCount()).isEqualTo(1);
        assertThat(await(bobs).getEnvelopesCount()).isEqualTo(1);
        // The slots are free again.
        CompletableFuture<FetchResponse> again = host.fetch(ALICE, fetch(WATCHED).setCursor(99).setWaitMs(20_000)
                .build());
        assertThat(again.isDone()).isFalse();
    }

    @Test
    void fetch_manyWaitersAndConcurrentRelays_everyWaiterGetsItsEnvelope() throws Exception {
        int n = 200;
        List<CompletableFuture<FetchResponse>> held = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            held.add(host.fetch(caller(100 + i), fetch(tag(100 + i)).setWaitMs(20_000).build()));
        }
        List<Thread> relayers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            GroupEnvelope e = envelope(tag(100 + i), i);
            Address from = caller(1000 + i);
            relayers.add(Thread.ofVirtual().start(() -> host.relay(from, relay(1, e)).join()));
        }
        for (Thread t : relayers) {
            t.join();
        }

        for (int i = 0; i < n; i++) {
            assertThat(await(held.get(i)).getEnvelopesList()).extracting(HostedEnvelope::getEnvelope)
                    .containsExactly(envelope(tag(100 + i), i));
        }
        assertThat(host.watchedTags()).isZero();
    }
}
