package org.hearth.node.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.hearth.core.bytes.Bytes;
import org.hearth.core.crypto.PassphraseKdf;
import org.hearth.core.identity.Address;
import org.hearth.core.group.GroupId;
import org.hearth.node.store.Database;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** "A message is stored once by its id", now that the id's index is a non-unique one on its first 8 bytes. */
class GroupMessageStoreTest {
    private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");
    private static final GroupId GROUP = new GroupId(Bytes.wrap(new byte[32]));

    @TempDir
    Path dir;
    Database db;

    @BeforeEach
    void open() throws Exception {
        db = Database.open(dir, "pw".toCharArray(), PassphraseKdf.FAST);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private static Address sender() {
        byte[] key = new byte[32];
        key[31] = 0x42;
        return Address.of(Bytes.wrap(key));
    }

    /** An id with the given first 8 bytes (the indexed prefix) and {@code last} as byte 31. */
    private static Bytes id(long prefix, int last) {
        byte[] id = ByteBuffer.allocate(32).putLong(prefix).array();
        id[31] = (byte) last;
        return Bytes.wrap(id);
    }

    private boolean insert(Bytes msgId) {
        return db.write(tx -> GroupRepository.insertMessage(tx, GROUP, msgId, 0, sender(), "hi", NOW, NOW));
    }

    private List<String> storedIds() {
        return db.read(tx -> tx.query("SELECT hex(id) FROM group_messages ORDER BY seq", r -> r.getString(1)));
    }

    @Test
    void insertMessage_sameIdTwice_storesOnce() {
        Bytes a = id(7, 1);

        assertThat(insert(a)).isTrue();
        assertThat(insert(a)).isFalse();

        assertThat(storedIds()).containsExactly(a.hex().toUpperCase());
    }

    @Test
    void insertMessage_differentIdsWithTheSamePrefix_storesBothAndDedupsEach() {
        Bytes a = id(Long.MIN_VALUE, 1);
        Bytes b = id(Long.MIN_VALUE, 2);

        assertThat(insert(a)).isTrue();
        assertThat(insert(b)).isTrue();
        assertThat(insert(b)).isFalse();
        assertThat(insert(a)).isFalse();

        assertThat(storedIds()).containsExactly(a.hex().toUpperCase(), b.hex().toUpperCase());
    }

    @Test
    void messageInserter_duplicatesAndSharedPrefixesInOneTransaction_storesEachIdOnce() {
        Bytes a = id(-1, 1);
        Bytes b = id(-1, 2);
        Bytes c = id(1, 1);

        List<Boolean> inserted = db.write(tx -> {
            List<Boolean> out = new ArrayList<>();
            try (GroupRepository.MessageInserter insert = GroupRepository.messageInserter(tx)) {
                for (Bytes msgId : List.of(a, b, a, c, b, c)) {
                    out.add(insert.insert(GROUP, msgId, 0, sender(), "hi", NOW, NOW));
                }
            }
            return out;
        });

        assertThat(inserted).containsExactly(true, true, false, true, false, false);
        assertThat(storedIds()).hasSize(3);
    }

    @Test
    void insertMessage_sameIdAfterReopen_isNotStoredAgain() throws Exception {
        Bytes a = id(3, 3);
        assertThat(insert(a)).isTrue();
        db.close();
        db = Database.open(dir, "pw".toCharArray(), PassphraseKdf.FAST);

        assertThat(insert(a)).isFalse();
        assertThat(storedIds()).hasSize(1);
    }

    @Test
    void insertMessage_lookupOfTheId_usesThePrefixIndex() {
        String plan = db.read(tx -> String.join(" ", tx.query("EXPLAIN QUERY PLAN " + GroupRepository.INSERT_MESSAGE,
                r -> r.getString(4), new byte[32], 1L, new byte[32], 0L, "a", "t", 0L, 0L)));

        assertThat(plan).contains("USING INDEX group_messages_by_id_prefix (id_prefix=?)")
                .doesNotContain("SCAN group_messages");
    }
}
