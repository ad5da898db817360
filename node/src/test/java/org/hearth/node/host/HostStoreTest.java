package org.hearth.node.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hearth.node.host.HostFixtures.envelope;
import static org.hearth.node.host.HostFixtures.tag;

import java.nio.file.Path;
import java.time.Instant;
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
}
