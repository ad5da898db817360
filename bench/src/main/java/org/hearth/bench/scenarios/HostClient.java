package org.hearth.bench.scenarios;

import com.google.protobuf.ByteString;
import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.Endpoint;
import org.hearth.core.identity.Identity;
import org.hearth.core.wire.WireCodec;
import org.hearth.core.wire.proto.FetchRequest;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.hearth.core.wire.proto.PeerMessage;
import org.hearth.core.wire.proto.RelayRequest;
import org.hearth.node.transport.Connection;
import org.hearth.node.transport.TcpTransport;

/**
 * A bare host API client over one real channel (TCP loopback, Noise XX, frame padding): relays and fetches
 * with request ids, many requests in flight. The channel is authenticated by the client's identity: a fresh one
 * (an untrusted host treats it as any caller) or a chosen one (a member, whom a managed host checks against the
 * group's signed state).
 */
final class HostClient implements Closeable {
    /** A fetch answer and the size of the encoded peer message that carried it (what the caller received). */
    record Fetched(PeerMessage message, int encodedBytes) {
    }

    private final TcpTransport transport;
    private final Connection connection;
    private final Map<Long, CompletableFuture<Fetched>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final Thread reader;

    HostClient(Endpoint host, RandomSource random) throws Exception {
        this(host, Identity.generate(random), random);
    }

    HostClient(Endpoint host, Identity identity, RandomSource random) throws Exception {
        transport = new TcpTransport(identity, random);
        connection = transport.dial(host);
        reader = Thread.ofVirtual().name("bench-host-client").start(this::read);
    }

    private void read() {
        try {
            while (true) {
                byte[] payload = connection.receive();
                PeerMessage m = WireCodec.decode(payload);
                long id = switch (m.getBodyCase()) {
                    case RELAY_RESPONSE -> m.getRelayResponse().getRequestId();
                    case FETCH_RESPONSE -> m.getFetchResponse().getRequestId();
                    default -> -1;
                };
                CompletableFuture<Fetched> f = id < 0 ? null : pending.remove(id);
                if (f != null) {
                    f.complete(new Fetched(m, payload.length));
                }
            }
        } catch (Exception e) {
            IOException closed = new IOException("channel closed", e);
            pending.values().forEach(f -> f.completeExceptionally(closed));
        }
    }

    CompletableFuture<Fetched> relay(GroupEnvelope envelope) throws IOException {
        long id = ids.incrementAndGet();
        CompletableFuture<Fetched> f = new CompletableFuture<>();
        pending.put(id, f);
        connection.send(WireCodec.encode(PeerMessage.newBuilder().setVersion(WireCodec.VERSION)
                .setRelayRequest(RelayRequest.newBuilder().setRequestId(id).setEnvelope(envelope)).build()));
        return f;
    }

    Fetched fetch(List<ByteString> tags, long cursor, int limit) throws Exception {
        long id = ids.incrementAndGet();
        CompletableFuture<Fetched> f = new CompletableFuture<>();
        pending.put(id, f);
        connection.send(WireCodec.encode(PeerMessage.newBuilder().setVersion(WireCodec.VERSION)
                .setFetchRequest(FetchRequest.newBuilder().setRequestId(id).addAllTags(tags).setCursor(cursor)
                        .setLimit(limit).setWaitMs(0)).build()));
        return f.get();
    }

    @Override
    public void close() {
        connection.close();
        transport.close();
        reader.interrupt();
    }
}
