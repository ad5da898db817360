package org.hearth.node.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hearth.node.host.HostFixtures.envelope;
import static org.hearth.node.host.HostFixtures.tag;

import java.nio.file.Path;
import java.time.Instant;
import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.wire.proto.GroupEnvelope;
import org.hearth.node.host.HostStore.Page;
import org.hearth.node.host.HostStore.Query;
import org.hearth.node.store.Database;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostStoreTest {
    static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");

    @TempDir
    Path dir;
    Database db;

    @BeforeEach
    void open() {
        db = HostFixtures.openStore(dir);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private boolean insert(GroupEnvelope e) {
        byte[] bytes = e.toByteArray();
        return db.write(tx -> HostStore.insert(tx, EnvelopeId.of(bytes), Bytes.wrap(e.getTag().toByteArray()), bytes,
                NOW));
    }

    @Test
    void insert_sameIdTwice_storesOnce() {
        GroupEnvelope e = envelope(tag(1), 1);

        assertThat(insert(e)).isTrue();
        assertThat(insert(e)).isFalse();

        HostStore.Usage usage = db.read(HostStore::usage);
        assertThat(usage.envelopes()).isEqualTo(1);
        assertThat(usage.envelopeBytes()).isEqualTo(e.getSerializedSize());
        boolean stored = db.read(tx -> HostStore.contains(tx, EnvelopeId.of(e)));
        boolean other = db.read(tx -> HostStore.contains(tx, EnvelopeId.of(envelope(tag(1), 2))));
        assertThat(stored).isTrue();
        assertThat(other).isFalse();
    }

    @Test
    void page_severalTags_mergedInSeqOrderWithMore() {
        for (int i = 0; i < 6; i++) {
            insert(envelope(tag(i % 3), i));
        }

        Page page = db.read(tx -> HostStore.page(tx, new Query(List.of(Bytes.wrap(tag(0).toByteArray()),
                Bytes.wrap(tag(2).toByteArray())), 0, 3, 56 * 1024)));

        assertThat(page.envelopes()).extracting(h -> h.getSeq()).containsExactly(1L, 3L, 4L);
        assertThat(page.more()).isTrue();
    }

    /**
     * Tags whose envelopes interleave unevenly (one in long runs, one scarce, one absent), more of each than one
     * read of seqs takes: paging through them from cursor to cursor gives exactly the asked tags' envelopes in
     * seq order, each once, with {@code more} true exactly while some are left.
     */
    @Test
    void page_unevenTagsBeyondOneReadOfSeqs_pagesThroughAllInSeqOrder() {
        List<ByteString> tags = List.of(tag(1), tag(2), tag(3), tag(4));
        java.util.Random r = new java.util.Random(7);
        List<Long> expected = new ArrayList<>();
        long seq = 0;
        for (int i = 0; i < 3 * HostStore.SEQS_PER_READ + 40; i++) {
            int t = r.nextInt(10) < 7 ? 0 : r.nextInt(10) < 8 ? 1 : 2; // tag 4 is asked for but never relayed
            insert(envelope(tags.get(t), i));
            seq++;
            if (t != 1) {
                expected.add(seq); // tag 2 is relayed but not asked for
            }
        }
        List<Bytes> asked = List.of(bytes(tag(1)), bytes(tag(3)), bytes(tag(4)));

        for (int limit : new int[] {1, 7, HostStore.SEQS_PER_READ, 500}) {
            List<Long> fetched = new ArrayList<>();
            long cursor = 0;
            int pages = 0;
            while (true) {
                long after = cursor;
                Page page = db.read(tx -> HostStore.page(tx, new Query(asked, after, limit, 56 * 1024)));
                page.envelopes().forEach(h -> fetched.add(h.getSeq()));
                pages++;
                assertThat(page.envelopes()).hasSizeLessThanOrEqualTo(limit);
                if (!page.more()) {
                    break;
                }
                assertThat(page.envelopes()).as("a page with more is not empty").isNotEmpty();
                cursor = page.envelopes().getLast().getSeq();
            }
            assertThat(fetched).as("limit " + limit).isEqualTo(expected);
            assertThat(pages).as("limit " + limit).isEqualTo(Math.max(1, (expected.size() + limit - 1) / limit));
        }
    }

    @Test
    void page_byteCapBeforeLimit_moreAndTheRestOnTheNextPage() {
        for (int i = 0; i < 10; i++) {
            insert(envelope(tag(i % 2), i, 1000));
        }
        List<Bytes> asked = List.of(bytes(tag(0)), bytes(tag(1)));

        Page first = db.read(tx -> HostStore.page(tx, new Query(asked, 0, 500, 3500)));
        Page rest = db.read(tx -> HostStore.page(tx, new Query(asked, 3, 500, 56 * 1024)));

        assertThat(first.envelopes()).extracting(h -> h.getSeq()).containsExactly(1L, 2L, 3L);
        assertThat(first.more()).isTrue();
        assertThat(rest.envelopes()).extracting(h -> h.getSeq()).containsExactly(4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(rest.more()).isFalse();
        assertThat(rest.head()).isEqualTo(10);
    }

    private static Bytes bytes(ByteString b) {
        return Bytes.wrap(b.toByteArray());
    }

    @Test
    void page_perTagQuery_usesTheTagIndex() {
        String plan = db.read(tx -> String.join(" ", tx.query(
                "EXPLAIN QUERY PLAN SELECT seq FROM host_envelopes WHERE tag = ? AND seq > ? ORDER BY seq LIMIT ?",
                r -> r.getString(4), new byte[16], 0L, 10)));

        assertThat(plan).contains("host_envelopes_by_tag").doesNotContain("TEMP B-TREE");
    }

    @Test
    void seq_afterDeletingTheLast_isNotReused() {
        insert(envelope(tag(1), 1));
        insert(envelope(tag(1), 2));
        db.write(tx -> tx.update("DELETE FROM host_envelopes WHERE seq = 2"));
        insert(envelope(tag(1), 3));

        List<Long> seqs = db.read(tx -> tx.query("SELECT seq FROM host_envelopes ORDER BY seq", r -> r.getLong(1)));
        assertThat(seqs).containsExactly(1L, 3L);
    }

    /** Two ids that share their first 8 bytes (the indexed prefix) and differ after them; {@code last} sets byte 31. */
    private static EnvelopeId idWithPrefix(long prefix, int last) {
        byte[] id = new byte[32];
        java.nio.ByteBuffer.wrap(id).putLong(prefix);
        id[31] = (byte) last;
        return new EnvelopeId(Bytes.wrap(id));
    }

    private boolean insert(EnvelopeId id, GroupEnvelope e) {
        byte[] bytes = e.toByteArray();
        return db.write(tx -> HostStore.insert(tx, id, Bytes.wrap(e.getTag().toByteArray()), bytes, NOW));
    }

    @Test
    void insert_differentIdsWithTheSamePrefix_storesBothAndDedupsEach() {
        EnvelopeId a = idWithPrefix(0x8000_0000_0000_0001L, 1);
        EnvelopeId b = idWithPrefix(0x8000_0000_0000_0001L, 2);
        EnvelopeId c = idWithPrefix(0x8000_0000_0000_0002L, 1); // same tail as a, other prefix

        assertThat(insert(a, envelope(tag(1), 1))).isTrue();
        assertThat(insert(b, envelope(tag(1), 2))).isTrue();
        assertThat(insert(c, envelope(tag(1), 3))).isTrue();
        assertThat(insert(a, envelope(tag(1), 1))).isFalse();
        assertThat(insert(b, envelope(tag(1), 2))).isFalse();

        assertThat(db.read(HostStore::usage).envelopes()).isEqualTo(3);
        for (EnvelopeId id : List.of(a, b, c)) {
            boolean stored = db.read(tx -> HostStore.contains(tx, id));
            assertThat(stored).as(id.toString()).isTrue();
        }
        boolean other = db.read(tx -> HostStore.contains(tx, idWithPrefix(0x8000_0000_0000_0001L, 3)));
        assertThat(other).isFalse();
    }

    @Test
    void insertAll_duplicatesAndSharedPrefixesInOneBatch_storesEachIdOnce() {
        GroupEnvelope e1 = envelope(tag(1), 1);
        GroupEnvelope e2 = envelope(tag(2), 2);
        EnvelopeId a = idWithPrefix(-1L, 1);
        EnvelopeId b = idWithPrefix(-1L, 2);
        RelayBatcher.Relay relayE1 = new RelayBatcher.Relay(EnvelopeId.of(e1), bytes(e1.getTag()), e1.toByteArray());
        RelayBatcher.Relay relayA = new RelayBatcher.Relay(a, bytes(e2.getTag()), e2.toByteArray());
        RelayBatcher.Relay relayB = new RelayBatcher.Relay(b, bytes(e2.getTag()), e2.toByteArray());

        boolean[] first = db.write(tx -> HostStore.insertAll(tx, List.of(relayE1, relayA, relayE1, relayB, relayA),
                NOW));
        boolean[] again = db.write(tx -> HostStore.insertAll(tx, List.of(relayB, relayE1), NOW));

        assertThat(first).containsExactly(true, true, false, true, false);
        assertThat(again).containsExactly(false, false);
        assertThat(db.read(HostStore::usage).envelopes()).isEqualTo(3);
    }

    @Test
    void insert_sameIdAfterReopen_isNotStoredAgain() {
        GroupEnvelope e = envelope(tag(1), 1);
        assertThat(insert(e)).isTrue();
        db.close();
        db = HostFixtures.openStore(dir);

        assertThat(insert(e)).isFalse();
        assertThat(db.read(HostStore::usage).envelopes()).isEqualTo(1);
    }

    @Test
    void idLookups_useThePrefixIndex() {
        String contains = db.read(tx -> String.join(" ", tx.query(
                "EXPLAIN QUERY PLAN SELECT 1 FROM host_envelopes WHERE id_prefix = ? AND id = ?",
                r -> r.getString(4), 1L, new byte[32])));
        String insert = db.read(tx -> String.join(" ", tx.query("EXPLAIN QUERY PLAN "
                + HostStore.INSERT_UNLESS_STORED, r -> r.getString(4), new byte[32], 1L,
                new byte[16], new byte[1], 0L)));

        assertThat(contains).contains("USING INDEX host_envelopes_by_id_prefix (id_prefix=?)");
        assertThat(insert).contains("USING INDEX host_envelopes_by_id_prefix (id_prefix=?)").doesNotContain("SCAN host_envelopes");
    }
}
