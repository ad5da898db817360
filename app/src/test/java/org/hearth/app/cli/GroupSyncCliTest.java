package org.hearth.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.hearth.app.api.LocalNode;
import org.hearth.core.group.GroupId;
import org.hearth.node.group.SendOutcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hearth group sync} against a real node that manages and hosts a group itself (its fetch loop reads
 * from its own host role), through the local API as the CLI always does.
 */
class GroupSyncCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static LocalNode carol;
    static String group;

    @BeforeAll
    static void startNode() throws Exception {
        carol = LocalNode.start(dir.resolve("carol"), "carol");
        GroupId g = carol.node().groups().create("sync", List.of(carol.node().endpoint()), true);
        for (int i = 0; i < 3; i++) {
            assertThat(carol.node().groups().send(g, "message " + i, Duration.ofSeconds(30)))
                    .isEqualTo(SendOutcome.STORED_BY_HOST);
        }
        group = g.hex();
    }

    @AfterAll
    static void stopNode() {
        if (carol != null) {
            carol.close();
        }
    }

    @Test
    void syncWait_selfHostedGroup_exits0CaughtUpWithPlainProgressLinesOnStderr() {
        Cli.Result r = Cli.run("group", "sync", "--home", carol.home().toString(), group, "--wait", "--progress",
                "lines", "--timeout", "60s");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).matches("caught up: \\d+ new messages? from 1 host in \\d+:\\d\\d\\R");
        assertThat(r.errLines()).isNotEmpty().allMatch(l -> l.startsWith("catch-up: "));
        assertThat(r.errLines().getLast()).startsWith("catch-up: 100%,");
        assertThat(r.err()).doesNotContain("\r");
    }

    @Test
    void syncWait_forcedBar_redrawsOnOneLineAndEndsIt() {
        Cli.Result r = Cli.run("group", "sync", "--home", carol.home().toString(), group, "--wait", "--progress",
                "bar", "--timeout", "60s");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).startsWith("\r").contains("] 100%").endsWith(System.lineSeparator());
        assertThat(r.err().chars().filter(c -> c == '\n').count()).as("one line, redrawn").isEqualTo(1);
    }

    @Test
    void sync_json_oneHostWithStateCountsAndPosition() throws Exception {
        // once caught up (the command above may not have run first)
        assertThat(Cli.run("group", "sync", "--home", carol.home().toString(), group, "--wait", "--progress", "none",
                "--timeout", "60s").exit()).isZero();
        Cli.Result r = Cli.run("group", "sync", "--home", carol.home().toString(), group, "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode s = JSON.readTree(r.out());
        assertThat(s.path("groupId").asText()).isEqualTo(group);
        assertThat(s.path("caughtUp").asBoolean()).isTrue();
        assertThat(s.path("hosts")).hasSize(1);
        JsonNode h = s.path("hosts").get(0);
        assertThat(h.path("host").asText()).isEqualTo(carol.address());
        assertThat(h.path("state").asText()).isEqualTo("caught-up");
        assertThat(h.path("fraction").asDouble()).isEqualTo(1.0);
        assertThat(h.path("remaining").asLong()).isZero();
        assertThat(h.path("head").asLong()).isGreaterThanOrEqualTo(3);
        assertThat(h.path("cursor").asLong()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void sync_withoutWait_printsOneLine() {
        assertThat(Cli.run("group", "sync", "--home", carol.home().toString(), group, "--wait", "--progress", "none",
                "--timeout", "60s").exit()).isZero();
        Cli.Result r = Cli.run("group", "sync", "--home", carol.home().toString(), group);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).matches("caught up: \\d+ new messages? from 1 host\\R");
    }

    @Test
    void sync_unknownProgressMode_exits2NamingTheChoices() {
        Cli.Result r = Cli.run("group", "sync", "--home", carol.home().toString(), group, "--wait", "--progress",
                "sideways");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--progress is auto, bar, lines or none");
    }

    @Test
    void sync_unknownGroup_exits1WithOneLine() {
        Cli.Result r = Cli.run("group", "sync", "--home", carol.home().toString(), "ab".repeat(32));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).contains("no such group");
    }
}
