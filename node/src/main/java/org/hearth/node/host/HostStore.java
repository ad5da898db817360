package org.hearth.node.host;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.wire.proto.FetchResponse;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.hearth.core.wire.proto.HostedEnvelope;
import org.hearth.node.store.IdPrefix;
import org.hearth.node.store.Transaction;

/** SQL for the {@code host_envelopes} table (schema versions 2 and 5). Runs inside the caller's transaction. */
final class HostStore {
    private HostStore() {
    }

    /** What one fetch asks for: distinct tags, seqs after {@code afterSeq}, at most {@code limit} envelopes. */
    record Query(List<Bytes> tags, long afterSeq, int limit, int maxPageBytes) {
        Query {
            tags = List.copyOf(tags);
        }
    }

    /**
     * Envelopes in ascending seq, and whether more matching ones were left for the next page. {@code head} is
     * the highest seq the host had at that moment; when none were left, nothing matching exists up to it, so a
     * client may move its cursor there (this lets cursors of different epochs meet; docs/protocol.md §8).
     */
    record Page(List<HostedEnvelope> envelopes, boolean more, long head) {
        static final Page EMPTY = new Page(List.of(), false, 0);

        Page {
            envelopes = List.copyOf(envelopes);
        }

        boolean isEmpty() {
            return envelopes.isEmpty();
        }
    }

    /** Storage in use, as the quota counts it. */
    record Usage(long envelopes, long envelopeBytes) {
        long chargedBytes() {
            return envelopeBytes + envelopes * HostLimits.ROW_OVERHEAD_BYTES;
        }
    }

    /**
     * Inserts unless a row with the same whole id exists. The index is on the id's first 8 bytes
     * ({@link IdPrefix}), not unique; the check and the insert are one statement inside the caller's write
     * transaction, and writes are serial, so two relays of one envelope cannot both insert.
     */
    static final String INSERT_UNLESS_STORED = "INSERT INTO host_envelopes(id, id_prefix, tag, envelope,"
            + " received_at) SELECT ?1, ?2, ?3, ?4, ?5 WHERE NOT EXISTS (SELECT 1 FROM host_envelopes"
            + " WHERE id_prefix = ?2 AND id = ?1)";

    /** Inserts an envelope unless one with the same id exists; true if this call stored it. */
    static boolean insert(Transaction tx, EnvelopeId id, Bytes tag, byte[] envelope, Instant receivedAt)
            throws SQLException {
        return tx.update(INSERT_UNLESS_STORED, id.bytes(), IdPrefix.of(id.bytes()), tag, envelope,
                receivedAt.toEpochMilli()) == 1;
    }

    /**
     * Inserts each envelope unless one with the same id exists (stored before, or earlier in {@code relays}), with
     * one prepared statement; element i is true if relays[i] was stored by this call.
     */
    static boolean[] insertAll(Transaction tx, List<RelayBatcher.Relay> relays, Instant receivedAt)
            throws SQLException {
        boolean[] inserted = new boolean[relays.size()];
        try (PreparedStatement ps = tx.connection().prepareStatement(INSERT_UNLESS_STORED)) {
            for (int i = 0; i < inserted.length; i++) {
                RelayBatcher.Relay r = relays.get(i);
                ps.setBytes(1, r.id().bytes().toByteArray());
                ps.setLong(2, IdPrefix.of(r.id().bytes()));
                ps.setBytes(3, r.tag().toByteArray());
                ps.setBytes(4, r.envelope());
                ps.setLong(5, receivedAt.toEpochMilli());
                inserted[i] = ps.executeUpdate() == 1;
            }
        }
        return inserted;
    }

    static boolean contains(Transaction tx, EnvelopeId id) throws SQLException {
        return tx.queryOne("SELECT 1 FROM host_envelopes WHERE id_prefix = ? AND id = ?", r -> true,
                IdPrefix.of(id.bytes()), id.bytes()).isPresent();
    }

    static Usage usage(Transaction tx) throws SQLException {
        return tx.queryOne("SELECT count(*), coalesce(sum(length(envelope)), 0) FROM host_envelopes",
                r -> new Usage(r.getLong(1), r.getLong(2))).orElseThrow();
    }

    /**
     * Seqs read per tag and query while merging a page: the first read of each tag is small (of 20 epochs asked
     * at once, usually one fills the page), and each further read of a tag doubles, up to the most a page of
     * envelopes of a usual size (~100) needs.
     */
    static final int FIRST_SEQS_PER_READ = 8;
    static final int SEQS_PER_READ = 128;

    /**
     * One page of a fetch. Seqs are found per tag through the (tag, seq) index, a few at a time, and merged
     * here in seq order until the page is full: the cost is bounded by the page and the number of tags, however
     * large the backlog (a member catching up on 20 epochs reads ~300 seqs for a page of ~100, not 20 × the
     * limit), and envelope blobs are read only for the rows actually sent.
     */
    static Page page(Transaction tx, Query q) throws SQLException {
        boolean more = false;
        List<HostedEnvelope> out = new ArrayList<>();
        long pageBytes = 0;
        try (PreparedStatement seqs = tx.connection().prepareStatement(
                "SELECT seq FROM host_envelopes WHERE tag = ? AND seq > ? ORDER BY seq LIMIT ?");
                PreparedStatement blobs = tx.connection().prepareStatement(
                        "SELECT envelope FROM host_envelopes WHERE seq = ?")) {
            int maxPerRead = Math.min(q.limit() + 1, SEQS_PER_READ);
            PriorityQueue<TagSeqs> next = new PriorityQueue<>();
            for (Bytes tag : q.tags()) {
                TagSeqs t = new TagSeqs(tag.toByteArray());
                if (t.read(seqs, q.afterSeq(), Math.min(FIRST_SEQS_PER_READ, maxPerRead))) {
                    next.add(t);
                }
            }
            while (!next.isEmpty()) {
                if (out.size() == q.limit()) {
                    more = true;
                    break;
                }
                TagSeqs t = next.poll();
                long seq = t.head();
                HostedEnvelope hosted = HostedEnvelope.newBuilder().setSeq(seq).setEnvelope(load(blobs, seq)).build();
                int size = CodedOutputStream.computeMessageSize(FetchResponse.ENVELOPES_FIELD_NUMBER, hosted);
                // The first envelope always goes: envelopes are capped below a page, and skipping it would stall.
                if (!out.isEmpty() && pageBytes + size > q.maxPageBytes()) {
                    more = true;
                    break;
                }
                out.add(hosted);
                pageBytes += size;
                if (t.advance(seqs, maxPerRead)) {
                    next.add(t);
                }
            }
        }
        // max(seq) of the rowid is a lookup, not a scan: it goes on every page so a catching-up client can tell
        // how far it has come (docs/protocol.md §8)
        long head = tx.queryOne("SELECT coalesce(max(seq), 0) FROM host_envelopes", r -> r.getLong(1)).orElse(0L);
        return new Page(out, more, head);
    }

    /** The next seqs of one tag, read a few at a time, ordered by the first not yet taken. */
    private static final class TagSeqs implements Comparable<TagSeqs> {
        private final byte[] tag;
        private final long[] buffer = new long[SEQS_PER_READ];
        private int size;
        private int pos;
        private boolean exhausted;

        TagSeqs(byte[] tag) {
            this.tag = tag;
        }

        long head() {
            return buffer[pos];
        }

        /** Reads up to {@code n} seqs after {@code afterSeq}; true if there was one. */
        boolean read(PreparedStatement seqs, long afterSeq, int n) throws SQLException {
            seqs.setBytes(1, tag);
            seqs.setLong(2, afterSeq);
            seqs.setInt(3, n);
            size = 0;
            pos = 0;
            try (ResultSet rs = seqs.executeQuery()) {
                while (rs.next()) {
                    buffer[size++] = rs.getLong(1);
                }
            }
            exhausted = size < n;
            return size > 0;
        }

        /**
         * Moves past the head, reading twice as many as last time (at most {@code max}) when the buffer is used
         * up; true if there is a next seq.
         */
        boolean advance(PreparedStatement seqs, int max) throws SQLException {
            long taken = buffer[pos++];
            if (pos < size) {
                return true;
            }
            return !exhausted && read(seqs, taken, Math.min(2 * size, max));
        }

        @Override
        public int compareTo(TagSeqs o) {
            return Long.compare(head(), o.head());
        }
    }

    private static GroupEnvelope load(PreparedStatement ps, long seq) throws SQLException {
        ps.setLong(1, seq);
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("envelope " + seq + " vanished inside a transaction");
            }
            byte[] stored = Objects.requireNonNull(rs.getBytes(1));
            try {
                return GroupEnvelope.parseFrom(stored);
            } catch (InvalidProtocolBufferException e) {
                throw new SQLException("stored envelope " + seq + " does not parse", e);
            }
        }
    }

    /**
     * Deletes envelopes under the tags that are too old, or beyond the newest {@code keepNewest}; returns the
     * storage they took, as the quota counts it.
     */
    static Usage prune(Transaction tx, List<Bytes> tags, Instant olderThan, long keepNewest) throws SQLException {
        String in = String.join(",", java.util.Collections.nCopies(tags.size(), "?"));
        List<Object> args = new ArrayList<>(tags);
        String where = "tag IN (" + in + ") AND (received_at < ?";
        args.add(olderThan.toEpochMilli());
        if (keepNewest > 0) {
            where += " OR seq < (SELECT seq FROM host_envelopes WHERE tag IN (" + in + ") ORDER BY seq DESC LIMIT 1"
                    + " OFFSET ?)";
            args.addAll(tags);
            args.add(keepNewest - 1);
        }
        where += ")";
        Object[] a = args.toArray();
        Usage freed = tx.queryOne("SELECT count(*), coalesce(sum(length(envelope)), 0) FROM host_envelopes WHERE "
                + where, r -> new Usage(r.getLong(1), r.getLong(2)), a).orElseThrow();
        if (freed.envelopes() > 0) {
            tx.update("DELETE FROM host_envelopes WHERE " + where, a);
        }
        return freed;
    }
}
