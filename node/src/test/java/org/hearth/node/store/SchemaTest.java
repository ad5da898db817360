package org.hearth.node.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaTest {
    @TempDir
    Path dir;
    Database db;

    @BeforeEach
    void open() throws Exception {
        db = TestStores.open(dir);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private void addContact(String address) {
        db.write(tx -> tx.update("INSERT INTO contacts(address, name, kind, status, created_at) VALUES (?, ?, ?, ?, ?)",
                address, "Alice", "person", "accepted", 1L));
    }

    private int addMessage(String contact, byte[] id) {
        return db.write(tx -> tx.update("INSERT INTO messages(id, contact, outgoing, text, sent_at, received_at)"
                + " VALUES (?, ?, ?, ?, ?, ?)", id, contact, true, "hi", 1L, 2L));
    }

    @Test
    void messages_unknownContact_violatesForeignKey() {
        assertThatThrownBy(() -> addMessage("nobody", new byte[] {1})).isInstanceOf(StoreException.class)
                .hasStackTraceContaining("FOREIGN KEY");
    }

    @Test
    void messages_duplicateId_isRejected() {
        addContact("alice");
        addMessage("alice", new byte[] {1});

        assertThatThrownBy(() -> addMessage("alice", new byte[] {1})).isInstanceOf(StoreException.class)
                .hasStackTraceContaining("UNIQUE");
    }

    @Test
    void messages_inserted_getIncreasingSeqAndUndeliveredByDefault() {
        addContact("alice");
        addMessage("alice", new byte[] {1});
        addMessage("alice", new byte[] {2});

        List<String> rows = db.read(tx -> tx.query(
                "SELECT seq, delivered, outgoing FROM messages WHERE contact = ? ORDER BY seq",
                r -> r.getLong(1) + ":" + r.getInt(2) + ":" + r.getInt(3), "alice"));
        assertThat(rows).containsExactly("1:0:1", "2:0:1");
    }

    @Test
    void outbox_byPeer_usesItsIndex() {
        String plan = db.read(tx -> String.join(" ", tx.query(
                "EXPLAIN QUERY PLAN SELECT payload FROM outbox WHERE peer = ? ORDER BY seq", r -> r.getString(4),
                "bob")));

        assertThat(plan).contains("outbox_by_peer");
    }
}
