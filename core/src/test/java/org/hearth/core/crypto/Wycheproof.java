package org.hearth.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Reads the Wycheproof vector files under {@code src/test/resources/vectors/wycheproof/} (Apache-2.0, see the
 * LICENSE there). Every file is read whole: the number of cases returned is checked against the file's own
 * {@code numberOfTests}, so a parsing slip cannot silently skip vectors.
 */
final class Wycheproof {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();

    enum Result {
        VALID, INVALID, ACCEPTABLE
    }

    /** One test case together with the group it belongs to (groups carry key sizes, tag sizes, keys). */
    record TestCase(JsonNode group, JsonNode test) {
        int tcId() {
            return test.get("tcId").asInt();
        }

        Result result() {
            return Result.valueOf(test.get("result").asText().toUpperCase(java.util.Locale.ROOT));
        }

        byte[] hex(String field) {
            return HEX.parseHex(test.get(field).asText());
        }

        int groupInt(String field) {
            return group.get(field).asInt();
        }

        /** "tcId 12 (comment) [flags]: " — the prefix of every mismatch line. */
        String describe() {
            return "tcId " + tcId() + " (" + test.path("comment").asText() + ") " + test.path("flags") + ": ";
        }
    }

    private Wycheproof() {
    }

    static List<TestCase> load(String fileName) {
        JsonNode root;
        try (InputStream in = Wycheproof.class.getResourceAsStream("/vectors/wycheproof/" + fileName)) {
            assertThat(in).as("vector file %s on the test classpath", fileName).isNotNull();
            root = JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<TestCase> cases = new ArrayList<>();
        for (JsonNode group : root.get("testGroups")) {
            for (JsonNode test : group.get("tests")) {
                cases.add(new TestCase(group, test));
            }
        }
        assertThat(cases).as("test cases in %s", fileName).hasSize(root.get("numberOfTests").asInt());
        return cases;
    }

    static String hex(byte[] b) {
        return HEX.formatHex(b);
    }
}
