package org.hearth.node.host;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.hearth.core.identity.Address;
import org.hearth.core.wire.MalformedMessageException;
import org.hearth.core.wire.WireCodec;
import org.hearth.core.wire.proto.FetchRequest;
import org.hearth.core.wire.proto.FetchResponse;
import org.hearth.core.wire.proto.HostError;
import org.hearth.core.wire.proto.HostedEnvelope;
import org.hearth.core.wire.proto.PeerMessage;
import org.hearth.core.wire.proto.RelayRequest;
import org.hearth.core.wire.proto.RelayResponse;
import org.hearth.node.store.Database;

/**
 * Jazzer target for the host API as a remote caller reaches it (docs/protocol.md §8): the fuzzer's bytes are a
 * peer message ({@link WireCodec#decode}, which may refuse only with {@link MalformedMessageException}); relay and
 * fetch requests go to a real {@link HostService} on a real encrypted store. Whatever the request, the answer
 * comes (no hang), echoes the request id, refuses only with a declared code, and keeps the host's promises: a
 * relay answered "stored" is fetchable under its tag; a page holds only the tags asked for, in increasing
 * sequence after the cursor, within the page limit, and encodes into one peer message.
 *
 * <p>The first byte picks one of four callers; the rest is the message. The rate limits are set out of reach so
 * that the fuzzer gets past them (they have their own tests); long polls are capped at 20 ms so that a held fetch
 * cannot stall the run.
 *
 * <p>Regression inputs: {@code src/test/resources/org/hearth/node/host/HostServiceFuzzTestInputs/<method>/}.
 */
class HostServiceFuzzTest {
    private static final long ANSWER_SECONDS = 10;
    private static final HostLimits LIMITS = new HostLimits(48 * 1024, 64, 500, 56 * 1024, Duration.ofMillis(20),
            4, new HostLimits.Rate(1e9, 1_000_000_000), new HostLimits.Rate(1e9, 1_000_000_000), 1L << 30);
    private static final Set<HostError.Code> DECLARED = EnumSet.of(HostError.Code.MALFORMED,
            HostError.Code.TOO_LARGE, HostError.Code.RATE_LIMITED, HostError.Code.QUOTA_EXCEEDED);
    private static final HostService HOST = openHost();

    private static HostService openHost() {
        try {
            Path dir = Files.createTempDirectory("hearth-host-fuzz");
            dir.toFile().deleteOnExit();
            Database db = HostFixtures.openStore(dir);
            return HostService.open(db, LIMITS, HostAccess.OPEN, Clock.systemUTC());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest
    void request_fuzzedPeerMessage_answeredWithinTheRules(byte[] data) throws Exception {
        if (data.length == 0) {
            return;
        }
        Address caller = HostFixtures.caller(data[0] & 3);
        PeerMessage m;
        try {
            m = WireCodec.decode(Arrays.copyOfRange(data, 1, data.length));
        } catch (MalformedMessageException refused) {
            return;
        }
        switch (m.getBodyCase()) {
            case RELAY_REQUEST -> relay(caller, m.getRelayRequest());
            case FETCH_REQUEST -> fetch(caller, m.getFetchRequest());
            default -> {
                // not for the host API: the dispatcher routes it elsewhere
            }
        }
    }

    private static void relay(Address caller, RelayRequest request) throws Exception {
        RelayResponse r = HOST.relay(caller, request).get(ANSWER_SECONDS, TimeUnit.SECONDS);
        assertThat(r.getRequestId()).isEqualTo(request.getRequestId());
        if (r.hasError()) {
            assertThat(DECLARED).contains(r.getError().getCode());
            return;
        }
        // stored means committed: it is served under its tag
        EnvelopeId id = EnvelopeId.of(HostRequests.canonical(request.getEnvelope()));
        ByteString tag = request.getEnvelope().getTag();
        long cursor = 0;
        for (int pages = 0; pages < 10_000; pages++) {
            FetchResponse page = HOST.fetch(caller, FetchRequest.newBuilder().setRequestId(1).addTags(tag)
                    .setCursor(cursor).build()).get(ANSWER_SECONDS, TimeUnit.SECONDS);
            assertThat(page.hasError()).as("fetch of a stored envelope's tag").isFalse();
            for (HostedEnvelope h : page.getEnvelopesList()) {
                if (EnvelopeId.of(h.getEnvelope()).equals(id)) {
                    return;
                }
            }
            if (!page.getMore()) {
                break;
            }
            cursor = page.getNextCursor();
        }
        throw new AssertionError("a relay answered as stored is not served under its tag");
    }

    private static void fetch(Address caller, FetchRequest request) throws Exception {
        FetchResponse r = HOST.fetch(caller, request).get(ANSWER_SECONDS, TimeUnit.SECONDS);
        assertThat(r.getRequestId()).isEqualTo(request.getRequestId());
        if (r.hasError()) {
            assertThat(DECLARED).contains(r.getError().getCode());
            return;
        }
        Set<ByteString> asked = new HashSet<>(request.getTagsList());
        assertThat(r.getEnvelopesCount()).isLessThanOrEqualTo(HostRequests.pageLimit(request, LIMITS));
        long previous = HostRequests.afterSeq(request);
        for (HostedEnvelope h : r.getEnvelopesList()) {
            assertThat(asked).contains(h.getEnvelope().getTag());
            assertThat(h.getSeq()).isGreaterThan(previous);
            previous = h.getSeq();
        }
        if (r.getEnvelopesCount() > 0) {
            assertThat(r.getNextCursor()).isGreaterThanOrEqualTo(previous);
        }
        // the page must reach the caller: it fits one peer message
        assertThat(WireCodec.encode(PeerMessage.newBuilder().setVersion(WireCodec.VERSION).setFetchResponse(r)
                .build()).length).isLessThanOrEqualTo(WireCodec.MAX_MESSAGE_BYTES);
    }
}
