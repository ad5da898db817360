package org.hearth.node.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteDatabaseTest extends DatabaseContractTest {

    @Override
    Database open(Path dir) throws Exception {
        return TestStores.open(dir);
    }

    @Override
    void afterGroupCommit(int writes) {
        // How much batching happens depends on fsync speed; the deterministic check is the test below.
        System.out.printf("writeAsync: %d writes in %d group commits%n", writes,
                ((SqliteDatabase) db).groupCommitCount());
    }

    @Test
    void writeAsync_queuedWhileCommitThreadBusy_shareOneCommit() {
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Integer> first = db.writeAsync(tx -> {
            busy.countDown();
            await(release);
            return putSetting(tx, "first");
        });
        await(busy);
        List<CompletableFuture<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String key = "k" + i;
            queued.add(db.writeAsync(tx -> putSetting(tx, key)));
        }

        release.countDown();

        assertThat(first.join()).isEqualTo(1);
        assertThat(queued).allSatisfy(f -> assertThat(f.join()).isEqualTo(1));
        assertThat(((SqliteDatabase) db).groupCommitCount()).isEqualTo(2);
    }

    @Test
    void open_newStore_usesWalFullSyncForeignKeysAndChacha20() {
        assertThat(pragma("journal_mode")).isEqualTo("wal");
        assertThat(pragma("synchronous")).isEqualTo("2"); // FULL
        assertThat(pragma("foreign_keys")).isEqualTo("1");
        assertThat(pragma("busy_timeout")).isEqualTo(String.valueOf(SqliteConnector.BUSY_TIMEOUT_MILLIS));
        assertThat(pragma("cipher")).isEqualTo("chacha20");
    }

    @Test
    void reopen_afterClose_readsBackWhatWasWritten() throws Exception {
        db.write(tx -> tx.update("INSERT INTO settings(key, value) VALUES (?, ?)", "greeting", new byte[] {4, 2}));
        db.close();

        db = TestStores.open(dir);

        Optional<byte[]> value = db.read(tx -> tx.queryOne("SELECT value FROM settings WHERE key = ?",
                r -> r.getBytes(1), "greeting"));
        assertThat(value).hasValueSatisfying(v -> assertThat(v).containsExactly(4, 2));
    }

    @Test
    void exists_beforeAndAfterCreation_reportsTheStore(@TempDir Path other) throws Exception {
        Path fresh = other.resolve("home");
        assertThat(Database.exists(fresh)).isFalse();

        TestStores.open(fresh).close();

        assertThat(Database.exists(fresh)).isTrue();
        assertThat(Database.exists(dir)).isTrue();
        assertThat(fresh.resolve(KeyFile.NAME)).exists();
        assertThat(fresh.resolve(SqliteDatabase.DATABASE_FILE)).exists();
    }

    @Test
    void open_databaseWithoutKeyFile_refusesAndKeepsTheFile(@TempDir Path other) throws Exception {
        Files.write(other.resolve(SqliteDatabase.DATABASE_FILE), new byte[] {1, 2, 3});

        assertThatThrownBy(() -> TestStores.open(other)).isInstanceOf(StoreException.class)
                .hasMessageContaining(KeyFile.NAME);
        assertThat(other.resolve(SqliteDatabase.DATABASE_FILE)).hasBinaryContent(new byte[] {1, 2, 3});
    }

    @Test
    void open_keyFileWithoutDatabase_refusesToCreateAFreshStore() throws Exception {
        db.close();
        Files.delete(dir.resolve(SqliteDatabase.DATABASE_FILE));

        assertThatThrownBy(() -> TestStores.open(dir)).isInstanceOf(StoreException.class)
                .hasMessageContaining("incomplete");
        assertThat(dir.resolve(SqliteDatabase.DATABASE_FILE)).doesNotExist();
        db = TestStores.open(dir.resolve("unused")); // keep @AfterEach happy
    }

    private String pragma(String name) {
        return db.read(tx -> tx.queryOne("PRAGMA " + name, r -> r.getString(1)).orElseThrow());
    }
}
