package org.hearth.node.host;

import java.util.Optional;
import org.hearth.core.identity.Address;
import org.hearth.core.wire.proto.FetchRequest;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.hearth.core.wire.proto.HostError;

/**
 * Who may relay and fetch. The untrusted host lets anyone do both ({@link #OPEN}): it cannot read envelopes,
 * and routing tags are unguessable without the epoch key. A managed host plugs in checks against the group's
 * signed state here. Called after the size checks, so the request is well formed; must not block.
 */
public interface HostAccess {
    /** Anyone may relay and fetch; only size and abuse limits apply. */
    HostAccess OPEN = new HostAccess() {
        @Override
        public Optional<HostError> checkRelay(Address from, GroupEnvelope envelope) {
            return Optional.empty();
        }

        @Override
        public Optional<HostError> checkFetch(Address from, FetchRequest request) {
            return Optional.empty();
        }
    };

    /**
     * Whether {@code from} is the node that runs this host (a managed host's own manager, fetching for the groups
     * it hosts): its fetches are not held to the per-caller rate and long-poll limits that protect the host from
     * others, and may wait longer. Nobody is, by default.
     */
    default boolean isOwner(Address from) {
        return false;
    }

    /** Empty to allow the relay, or the error to answer with. */
    Optional<HostError> checkRelay(Address from, GroupEnvelope envelope);

    /** Empty to allow the fetch, or the error to answer with. */
    Optional<HostError> checkFetch(Address from, FetchRequest request);
}
