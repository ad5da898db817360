package org.hearth.node.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.hearth.core.bytes.Bytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdPrefixTest {
    @TempDir
    Path dir;

    @Test
    void of_isTheFirstEightBytesBigEndianSigned() {
        byte[] id = new byte[32];
        ByteBuffer.wrap(id).putLong(0x80_01_02_03_04_05_06_ffL);
        id[8] = 0x7f; // beyond the prefix: no effect

        assertThat(IdPrefix.of(Bytes.wrap(id))).isEqualTo(0x80_01_02_03_04_05_06_ffL);
        assertThat(IdPrefix.of(Bytes.wrap(new byte[] {1, 2}))).isEqualTo(0x01_02_00_00_00_00_00_00L);
    }

    /** The migrations backfill the prefix in SQL; the code computes it in Java: both must agree on every id. */
    @Test
    void sqlOf_agreesWithOfOnEdgeAndRandomIds() throws Exception {
        List<byte[]> ids = new ArrayList<>();
        for (long edge : new long[] {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0x00ff00ff00ff00ffL}) {
            ids.add(ByteBuffer.allocate(32).putLong(edge).array());
        }
        Random random = new Random(5);
        for (int i = 0; i < 500; i++) {
            byte[] id = new byte[32];
            random.nextBytes(id);
            ids.add(id);
        }
        List<String> mismatches = new ArrayList<>();
        try (Database db = TestStores.open(dir)) {
            for (byte[] id : ids) {
                long sql = db.read(tx -> tx.queryOne("SELECT " + IdPrefix.sqlOf("?1"), r -> r.getLong(1), id))
                        .orElseThrow();
                if (sql != IdPrefix.of(Bytes.wrap(id))) {
                    mismatches.add(Bytes.wrap(id).hex() + " -> " + sql);
                }
            }
        }
        assertThat(mismatches).isEmpty();
    }
}
