package org.hearth.node.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hearth.node.host.HostFixtures.envelope;
import static org.hearth.node.host.HostFixtures.tag;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.hearth.node.store.Database;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RelayBatcherTest {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private static RelayBatcher.Relay relay(GroupEnvelope e) {
        byte[] bytes = e.toByteArray();
        return new RelayBatcher.Relay(EnvelopeId.of(bytes), Bytes.wrap(e.getTag().toByteArray()), bytes);
    }

    @Test
    void store_concurrentRelaysWithDuplicates_storesEachEnvelopeOnceAndTellsWhichCallStoredIt() throws Exception {
        Database db = HostFixtures.openStore(dir);
        RelayBatcher batcher = new RelayBatcher(db, CLOCK, new Waiters());
        int distinct = 300;
        List<CompletableFuture<Boolean>> first = new ArrayList<>();
        List<CompletableFuture<Boolean>> second = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            List<CompletableFuture<Boolean>> mine = t == 0 ? first : second;
            for (int i = 0; i < distinct; i++) {
                mine.add(new CompletableFuture<>());
            }
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    go.await();
                    for (int i = 0; i < distinct; i++) {
                        int n = i;
                        batcher.store(relay(envelope(tag(n % 3), n))).whenComplete((stored, failure) -> {
                            if (failure == null) {
                                mine.get(n).complete(stored);
                            } else {
                                mine.get(n).completeExceptionally(failure);
                            }
                        });
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        for (int i = 0; i < distinct; i++) {
            boolean a = first.get(i).get(30, TimeUnit.SECONDS);
            boolean b = second.get(i).get(30, TimeUnit.SECONDS);
            assertThat(a ^ b).as("envelope %d stored by exactly one of its two relays", i).isTrue();
        }
        assertThat(db.read(HostStore::usage).envelopes()).isEqualTo(distinct);
        db.close();
    }

    @Test
    void store_answered_isAlreadyCommitted() throws Exception {
        Database db = HostFixtures.openStore(dir);
        RelayBatcher batcher = new RelayBatcher(db, CLOCK, new Waiters());
        GroupEnvelope e = envelope(tag(1), 7);

        boolean stored = batcher.store(relay(e)).get(30, TimeUnit.SECONDS);

        assertThat(stored).isTrue();
        db.close();
        Database reopened = HostFixtures.openStore(dir);
        boolean present = reopened.read(tx -> HostStore.contains(tx, EnvelopeId.of(e)));
        assertThat(present).isTrue();
        reopened.close();
    }

    @Test
    void store_storeClosed_failsTheRelayInsteadOfLeavingItWaiting() {
        Database db = HostFixtures.openStore(dir);
        RelayBatcher batcher = new RelayBatcher(db, CLOCK, new Waiters());
        db.close();

        CompletableFuture<Boolean> a = batcher.store(relay(envelope(tag(1), 1)));
        CompletableFuture<Boolean> b = batcher.store(relay(envelope(tag(1), 2)));

        assertThatThrownBy(() -> a.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        assertThatThrownBy(() -> b.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
    }
}
