package org.hearth.node.managed;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.Endpoint;
import org.hearth.core.identity.Identity;
import org.hearth.core.wire.WireCodec;
import org.hearth.core.wire.proto.FetchRequest;
import org.hearth.core.wire.proto.FetchResponse;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.hearth.core.wire.proto.HostedEnvelope;
import org.hearth.core.wire.proto.PeerMessage;
import org.hearth.core.wire.proto.RelayRequest;
import org.hearth.core.wire.proto.RelayResponse;
import org.hearth.node.transport.Connection;
import org.hearth.node.transport.TcpTransport;

/**
 * A bare host-API client on its own authenticated channel: it speaks only RelayRequest/FetchRequest, so what
 * it gets back is the host's own decision, with no client-side check in between. Frames that are not one of
 * its responses (Hello, durable items the node pushes at this identity) are read and ignored, never
 * acknowledged. The identity must not be running as a node at the same time: the host answers on its one
 * channel per peer.
 */
public final class RawHostClient implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** Redials when the host drops the channel: host calls are idempotent, so a retry is harmless. */
    private static final int ATTEMPTS = 3;

    private final TcpTransport transport;
    private final Endpoint host;
    private final AtomicLong nextId = new AtomicLong(1);
    private volatile Channel channel;

    /** One channel and the calls waiting on it; once lost, every call on it fails, including late ones. */
    private static final class Channel {
        final Connection connection;
        final Map<Long, CompletableFuture<PeerMessage>> pending = new ConcurrentHashMap<>();
        volatile Exception lost;

        Channel(Connection connection) {
            this.connection = connection;
        }

        void lose(Exception e) {
            lost = e;
            for (Long id : pending.keySet()) {
                CompletableFuture<PeerMessage> f = pending.remove(id); // whoever removes it completes it
                if (f != null) {
                    f.completeExceptionally(e);
                }
            }
        }
    }

    private RawHostClient(TcpTransport transport, Endpoint host) throws Exception {
        this.transport = transport;
        this.host = host;
        connect();
    }

    public static RawHostClient dial(Identity identity, Endpoint host) throws Exception {
        TcpTransport t = new TcpTransport(identity, RandomSource.secure());
        try {
            return new RawHostClient(t, host);
        } catch (Exception e) {
            t.close();
            throw e;
        }
    }

    private synchronized void connect() throws Exception {
        Channel ch = new Channel(transport.dial(host));
        channel = ch;
        Thread.ofVirtual().name("raw-host-client").start(() -> readLoop(ch));
    }

    /**
     * A relay, redialled and retried if the channel is lost before the answer (a fresh channel can lose the
     * race against the peer's previous one, see PeerManager).
     */
    public RelayResponse relay(GroupEnvelope envelope) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return relayAsync(envelope).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (attempt == ATTEMPTS) {
                    throw e;
                }
                connect();
            }
        }
    }

    public CompletableFuture<RelayResponse> relayAsync(GroupEnvelope envelope) {
        long id = nextId.getAndIncrement();
        return call(id, PeerMessage.newBuilder().setVersion(WireCodec.VERSION)
                .setRelayRequest(RelayRequest.newBuilder().setRequestId(id).setEnvelope(envelope)).build())
                .thenApply(PeerMessage::getRelayResponse);
    }

    public FetchResponse fetch(FetchRequest.Builder request) throws Exception {
        for (int attempt = 1; ; attempt++) {
            long id = nextId.getAndIncrement();
            try {
                return call(id, PeerMessage.newBuilder().setVersion(WireCodec.VERSION)
                        .setFetchRequest(request.clone().setRequestId(id)).build())
                        .thenApply(PeerMessage::getFetchResponse).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (attempt == ATTEMPTS) {
                    throw e;
                }
                connect();
            }
        }
    }

    /** A one-page fetch of {@code tags} from the start, without waiting. */
    public FetchResponse fetchOnce(List<ByteString> tags) throws Exception {
        return fetch(FetchRequest.newBuilder().addAllTags(tags).setCursor(0).setLimit(WireCodec.MAX_FETCH_LIMIT));
    }

    /** Every envelope under {@code tags}, page after page from cursor 0; fails on a host error. */
    public List<HostedEnvelope> fetchAll(List<ByteString> tags) throws Exception {
        List<HostedEnvelope> out = new ArrayList<>();
        long cursor = 0;
        while (true) {
            FetchResponse r = fetch(FetchRequest.newBuilder().addAllTags(tags).setCursor(cursor)
                    .setLimit(WireCodec.MAX_FETCH_LIMIT));
            if (r.hasError()) {
                throw new AssertionError("fetch refused: " + r.getError());
            }
            out.addAll(r.getEnvelopesList());
            cursor = r.getNextCursor();
            if (!r.getMore()) {
                return out;
            }
        }
    }

    private CompletableFuture<PeerMessage> call(long id, PeerMessage request) {
        Channel ch = channel;
        CompletableFuture<PeerMessage> f = new CompletableFuture<>();
        ch.pending.put(id, f);
        try {
            ch.connection.send(WireCodec.encode(request));
        } catch (IOException e) {
            ch.lose(e);
        }
        Exception lost = ch.lost; // lost while we registered: nobody will answer
        if (lost != null && ch.pending.remove(id) != null) {
            f.completeExceptionally(lost);
        }
        return f;
    }

    private void readLoop(Channel ch) {
        try {
            while (!ch.connection.isClosed()) {
                PeerMessage m = WireCodec.decode(ch.connection.receive());
                long id = switch (m.getBodyCase()) {
                    case RELAY_RESPONSE -> m.getRelayResponse().getRequestId();
                    case FETCH_RESPONSE -> m.getFetchResponse().getRequestId();
                    default -> -1;
                };
                CompletableFuture<PeerMessage> f = ch.pending.remove(id);
                if (f != null) {
                    f.complete(m);
                }
            }
            ch.lose(new IOException("channel closed"));
        } catch (Exception e) {
            ch.lose(e);
        }
    }

    @Override
    public void close() {
        channel.connection.close();
        transport.close();
    }
}
