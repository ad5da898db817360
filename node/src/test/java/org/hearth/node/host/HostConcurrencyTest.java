package org.hearth.node.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hearth.node.host.HostFixtures.caller;
import static org.hearth.node.host.HostFixtures.envelope;
import static org.hearth.node.host.HostFixtures.relay;
import static org.hearth.node.host.HostFixtures.tag;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.identity.Address;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.hearth.core.wire.proto.RelayResponse;
import org.hearth.node.store.Database;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Many relayers at once through the group commit: an acknowledgement means the envelope is on disk. */
class HostConcurrencyTest {
    private static final Logger LOG = LoggerFactory.getLogger(HostConcurrencyTest.class);
    static final int RELAYERS = 64;
    static final int PER_RELAYER = 100;

    @TempDir
    Path dir;

    @Test
    void relay_64ConcurrentRelayersWaitingForEachAck_everyAckedEnvelopeSurvivesReopen() throws Exception {
        Set<EnvelopeId> acked = ConcurrentHashMap.newKeySet();
        Database db = HostFixtures.openStore(dir);
        HostService host = HostService.untrusted(db, Clock.systemUTC());

        long start = System.nanoTime();
        List<Thread> relayers = new ArrayList<>();
        for (int r = 0; r < RELAYERS; r++) {
            int relayer = r;
            relayers.add(Thread.ofVirtual().start(() -> relayInTurn(host, relayer, acked)));
        }
        for (Thread t : relayers) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        LOG.info("host relay, {} relayers each awaiting its ack: {} acked in {} s = {} acked/s", RELAYERS,
                acked.size(), String.format("%.3f", seconds), Math.round(acked.size() / seconds));
        host.close();
        db.close();

        assertThat(acked).hasSize(RELAYERS * PER_RELAYER);
        assertThat(storedIds(dir)).isEqualTo(acked);
    }

    @Test
    void relay_64ConcurrentRelayersPipelining_everyAckedEnvelopeSurvivesReopen() throws Exception {
        Set<EnvelopeId> acked = ConcurrentHashMap.newKeySet();
        Database db = HostFixtures.openStore(dir);
        HostService host = HostService.untrusted(db, Clock.systemUTC());

        long start = System.nanoTime();
        List<Thread> relayers = new ArrayList<>();
        for (int r = 0; r < RELAYERS; r++) {
            int relayer = r;
            relayers.add(Thread.ofVirtual().start(() -> relayPipelined(host, relayer, acked)));
        }
        for (Thread t : relayers) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        LOG.info("host relay, {} relayers with all requests in flight: {} acked in {} s = {} acked/s", RELAYERS,
                acked.size(), String.format("%.3f", seconds), Math.round(acked.size() / seconds));
        host.close();
        db.close();

        assertThat(acked).hasSize(RELAYERS * PER_RELAYER);
        assertThat(storedIds(dir)).isEqualTo(acked);
    }

    private static void relayInTurn(HostService host, int relayer, Set<EnvelopeId> acked) {
        Address from = caller(relayer);
        for (int i = 0; i < PER_RELAYER; i++) {
            GroupEnvelope e = envelope(tag(relayer), relayer * 1000L + i, 200);
            if (!host.relay(from, relay(i, e)).join().hasError()) {
                acked.add(EnvelopeId.of(e));
            }
        }
    }

    private static void relayPipelined(HostService host, int relayer, Set<EnvelopeId> acked) {
        Address from = caller(relayer);
        List<GroupEnvelope> sent = new ArrayList<>();
        List<CompletableFuture<RelayResponse>> answers = new ArrayList<>();
        for (int i = 0; i < PER_RELAYER; i++) {
            GroupEnvelope e = envelope(tag(relayer), relayer * 1000L + i, 200);
            sent.add(e);
            answers.add(host.relay(from, relay(i, e)));
        }
        for (int i = 0; i < PER_RELAYER; i++) {
            if (!answers.get(i).join().hasError()) {
                acked.add(EnvelopeId.of(sent.get(i)));
            }
        }
    }

    private static Set<EnvelopeId> storedIds(Path dir) {
        try (Database db = HostFixtures.openStore(dir)) {
            List<EnvelopeId> ids = db.read(tx -> tx.query("SELECT id FROM host_envelopes",
                    r -> new EnvelopeId(Bytes.wrap(r.getBytes(1)))));
            Set<EnvelopeId> distinct = new HashSet<>(ids);
            assertThat(distinct).hasSameSizeAs(ids);
            return distinct;
        }
    }
}
