package org.hearth.node.peer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import org.hearth.core.identity.Address;
import org.hearth.core.wire.proto.PeerMessage;

/** Request/response over peer channels: requests carry an id that the response echoes. */
public final class PeerRpc {
    private record Pending(Address peer, CompletableFuture<PeerMessage> future) {
    }

    private final AtomicLong ids = new AtomicLong(1);
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private volatile PeerManager peers;

    public void attach(PeerManager peerManager) {
        this.peers = peerManager;
    }

    /**
     * Dials the peer if needed, sends the request built for a fresh id, and completes with the response.
     * Fails with TimeoutException when the peer cannot be reached or does not answer in time.
     */
    public CompletableFuture<PeerMessage> call(Address peer, LongFunction<PeerMessage> request, Duration timeout) {
        long id = ids.getAndIncrement();
        CompletableFuture<PeerMessage> result = new CompletableFuture<>();
        pending.put(id, new Pending(peer, result));
        CompletableFuture<Void> connected = peers.whenConnected(peer);
        result.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((r, e) -> {
            pending.remove(id);
            connected.cancel(false);
        });
        connected.whenComplete((ok, unreachable) -> {
            if (unreachable != null) {
                result.completeExceptionally(unreachable); // fail now: the caller may retry or queue
            } else if (!peers.send(peer, request.apply(id))) {
                result.completeExceptionally(new TimeoutException("channel lost while sending"));
            }
        });
        return result;
    }

    /** Called with each response; unknown ids (late answers to abandoned calls) are dropped. */
    public void onResponse(Address from, long requestId, PeerMessage response) {
        Pending p = pending.get(requestId);
        if (p != null && p.peer().equals(from)) {
            p.future().complete(response);
        }
    }

    /** Calls to a peer whose channel went down fail now rather than at their timeout. */
    public void onDisconnected(Address peer) {
        pending.values().stream().filter(p -> p.peer().equals(peer))
                .forEach(p -> p.future().completeExceptionally(new TimeoutException("channel lost")));
    }
}
