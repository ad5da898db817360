package org.hearth.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.hearth.app.api.LocalNode;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.Identity;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code hearth} commands that need no passphrase, run in this JVM through {@code Main.run} against real
 * nodes (alice and bob, contacts of each other) whose local API they reach through the home directory.
 */
class CliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static LocalNode alice;
    static LocalNode bob;

    @BeforeAll
    static void startNodes() throws Exception {
        alice = LocalNode.start(dir.resolve("alice"), "alice");
        bob = LocalNode.start(dir.resolve("bob"), "bob");
        alice.befriend(bob);
    }

    @AfterAll
    static void stopNodes() {
        if (alice != null) {
            alice.close();
        }
        if (bob != null) {
            bob.close();
        }
    }

    // ---- usage ----

    @Test
    void help_flag_exits0WithUsageOnStdout() {
        Cli.Result r = Cli.run("--help");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("Usage: hearth").contains("init", "run", "whoami", "contacts", "send", "messages");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void help_subcommandFlag_exits0WithItsUsage() {
        Cli.Result r = Cli.run("send", "--help");

        assertThat(r.exit()).as("stderr: %s", r.err()).isZero();
        assertThat(r.out()).contains("--to").contains("--home");
    }

    @Test
    void version_flag_exits0() {
        Cli.Result r = Cli.run("--version");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("hearth ");
    }

    @Test
    void unknownCommand_anyHome_exits2WithUsageOnStderr() {
        Cli.Result r = Cli.run("frobnicate", "--home", dir.toString());

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("frobnicate").doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void noCommand_exits2WithUsageOnStderr() {
        Cli.Result r = Cli.run();

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("Usage: hearth");
    }

    @Test
    void contacts_withoutSubcommand_exits2() {
        Cli.Result r = Cli.run("contacts");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("add", "accept", "list");
    }

    @Test
    void whoami_withoutHome_exits2NamingTheOption() {
        Cli.Result r = Cli.run("whoami");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--home");
    }

    // ---- groups created with their members ----

    @Test
    void groupCreate_withMembers_allInTheFirstEpochAndEachInvited() throws Exception {
        String stranger = otherAddress();

        Cli.Result r = Cli.run("group", "create", "--home", alice.home().toString(), "--name", "founders",
                "--host", "self", "--member", bob.endpoint(), "--member", stranger + "@127.0.0.1:9:read");

        assertThat(r.exit()).as("stderr: %s", r.err()).isZero();
        org.hearth.core.group.GroupId id = org.hearth.core.group.GroupId.parse(r.out().trim());
        org.hearth.node.group.GroupRecord g = alice.node().groups().group(id);
        assertThat(g.epoch()).isZero();
        var members = g.head().orElseThrow().state().members();
        assertThat(members).hasSize(3);
        assertThat(members.get(Address.parse(bob.address()))).isEqualTo(org.hearth.core.group.Permission.WRITE);
        assertThat(members.get(Address.parse(stranger))).isEqualTo(org.hearth.core.group.Permission.READ);
        assertThat(members.get(Address.parse(alice.address()))).as("self-hosted: the manager writes too")
                .isEqualTo(org.hearth.core.group.Permission.WRITE);
        assertThat(bob.node().changes().awaitCondition(() -> bob.node().groups().invites().stream()
                .anyMatch(i -> i.id().equals(id)), java.time.Duration.ofSeconds(30))).as("bob gets his invite").isTrue();
    }

    @Test
    void groupCreate_badMember_exits1WithOneLineAndCreatesNothing() {
        int before = alice.node().groups().groups().size();

        for (String bad : List.of(bob.endpoint() + ":admin", "not-an-endpoint", alice.endpoint())) {
            Cli.Result r = Cli.run("group", "create", "--home", alice.home().toString(), "--name", "bad",
                    "--host", "self", "--member", bad);

            assertThat(r.exit()).as("--member %s", bad).isEqualTo(1);
            assertOneCleanErrorLine(r);
        }
        assertThat(alice.node().groups().groups()).hasSize(before);
    }

    // ---- no running node ----

    @Test
    void clientCommands_homeWithoutNode_exit1NotRunning() throws IOException {
        Path home = Files.createDirectories(dir.resolve("empty"));
        String someone = otherAddress();

        for (String[] args : List.of(
                new String[] {"whoami", "--home", home.toString()},
                new String[] {"contacts", "list", "--home", home.toString()},
                new String[] {"contacts", "add", "--home", home.toString(), someone + "@127.0.0.1:9"},
                new String[] {"send", "--home", home.toString(), "--to", someone, "hi"},
                new String[] {"messages", "--home", home.toString(), "--with", someone, "--json"})) {
            Cli.Result r = Cli.run(args);

            assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(1);
            assertOneCleanErrorLine(r);
            assertThat(r.err()).contains("no running node").contains("hearth run");
            assertThat(r.out()).isEmpty();
        }
    }

    @Test
    void whoami_staleApiFilesOfStoppedNode_exits1NotRunning() throws IOException {
        Path home = Files.createDirectories(dir.resolve("stale"));
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Files.writeString(home.resolve("api.port"), Integer.toString(closedPort), StandardCharsets.US_ASCII);
        Files.writeString(home.resolve("api.token"), "00".repeat(32), StandardCharsets.US_ASCII);

        Cli.Result r = Cli.run("whoami", "--home", home.toString());

        assertThat(r.exit()).isEqualTo(1);
        assertOneCleanErrorLine(r);
        assertThat(r.err()).contains("not running");
    }

    @Test
    void whoami_corruptPortFile_exits1WithOneLine() throws IOException {
        Path home = Files.createDirectories(dir.resolve("corrupt"));
        Files.writeString(home.resolve("api.port"), "eighty", StandardCharsets.US_ASCII);
        Files.writeString(home.resolve("api.token"), "00".repeat(32), StandardCharsets.US_ASCII);

        Cli.Result r = Cli.run("whoami", "--home", home.toString());

        assertThat(r.exit()).isEqualTo(1);
        assertOneCleanErrorLine(r);
        assertThat(r.err()).contains("api.port");
    }

    @Test
    void whoami_wrongTokenInHome_exits1WithOneLine() throws IOException {
        Path home = Files.createDirectories(dir.resolve("wrong-token"));
        Files.copy(alice.home().resolve("api.port"), home.resolve("api.port"));
        Files.writeString(home.resolve("api.token"), "00".repeat(32), StandardCharsets.US_ASCII);

        Cli.Result r = Cli.run("whoami", "--home", home.toString());

        assertThat(r.exit()).isEqualTo(1);
        assertOneCleanErrorLine(r);
        assertThat(r.err()).contains("token");
    }

    // ---- against a running node ----

    @Test
    void whoami_runningNode_printsEndpoint() {
        Cli.Result r = Cli.run("whoami", "--home", alice.home().toString());

        assertThat(r.exit()).isZero();
        assertThat(r.out().trim()).isEqualTo(alice.endpoint());
    }

    @Test
    void contactsAdd_malformedEndpoint_exits1WithOneClearLine() {
        for (String bad : List.of("nonsense", otherAddress() + "@127.0.0.1", otherAddress() + "@127.0.0.1:0",
                otherAddress() + "@127.0.0.1:99999", "short@127.0.0.1:9")) {
            Cli.Result r = Cli.run("contacts", "add", "--home", alice.home().toString(), bad);

            assertThat(r.exit()).as(bad).isEqualTo(1);
            assertOneCleanErrorLine(r);
            assertThat(r.err()).as(bad).startsWith("hearth: invalid endpoint");
        }
    }

    @Test
    void contactsAdd_validEndpoint_exits0AndIsListedAsRequested() throws Exception {
        String stranger = otherAddress();

        Cli.Result r = Cli.run("contacts", "add", "--home", alice.home().toString(), stranger + "@127.0.0.1:9");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("contact request queued");
        JsonNode list = JSON.readTree(Cli.run("contacts", "list", "--home", alice.home().toString(), "--json").out());
        assertThat(list.findValues("address")).extracting(JsonNode::asText).contains(stranger);
    }

    @Test
    void contactsAccept_noSuchRequest_exits1WithOneLine() {
        Cli.Result r = Cli.run("contacts", "accept", "--home", alice.home().toString(), otherAddress());

        assertThat(r.exit()).isEqualTo(1);
        assertOneCleanErrorLine(r);
        assertThat(r.err()).contains("no contact request");
    }

    @Test
    void contactsList_json_objectsHaveAddressNameKindStatus() throws Exception {
        Cli.Result r = Cli.run("contacts", "list", "--home", alice.home().toString(), "--json");

        assertThat(r.exit()).isZero();
        JsonNode list = JSON.readTree(r.out());
        assertThat(list.isArray()).isTrue();
        assertThat(list).isNotEmpty();
        for (JsonNode c : list) {
            assertThat(fieldNames(c)).containsExactlyInAnyOrder("address", "name", "kind", "status");
            assertThat(Address.parse(c.get("address").asText())).isNotNull();
        }
        JsonNode b = find(list, "address", bob.address());
        assertThat(b.get("name").asText()).isEqualTo("bob");
        assertThat(b.get("kind").asText()).isEqualTo("person");
        assertThat(b.get("status").asText()).isEqualTo("accepted");
    }

    @Test
    void contactsList_text_showsAddressStatusKindName() {
        Cli.Result r = Cli.run("contacts", "list", "--all", "--home", alice.home().toString());

        assertThat(r.exit()).isZero();
        assertThat(r.out().lines().filter(l -> l.startsWith(bob.address())).findFirst())
                .hasValueSatisfying(l -> assertThat(l).contains("accepted", "person", "bob"));
    }

    @Test
    void send_emptyText_exits1WithOneClearLine() {
        Cli.Result r = Cli.run("send", "--home", alice.home().toString(), "--to", bob.address(), "");

        assertThat(r.exit()).isEqualTo(1);
        assertOneCleanErrorLine(r);
        assertThat(r.err()).contains("1 to 4000 characters");
    }

    @Test
    void send_textOver4000Chars_exits1WithOneClearLine() {
        Cli.Result r = Cli.run("send", "--home", alice.home().toString(), "--to", bob.address(), "x".repeat(4001));

        assertThat(r.exit()).isEqualTo(1);
        assertOneCleanErrorLine(r);
        assertThat(r.err()).contains("1 to 4000 characters");
    }

    @Test
    void send_textOfExactly4000Chars_isStored() {
        Cli.Result r = Cli.run("send", "--home", alice.home().toString(), "--to", bob.address(), "y".repeat(4000));

        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("stored ");
    }

    @Test
    void send_invalidAddress_exits1WithOneClearLine() {
        Cli.Result r = Cli.run("send", "--home", alice.home().toString(), "--to", "bob", "hi");

        assertThat(r.exit()).isEqualTo(1);
        assertOneCleanErrorLine(r);
        assertThat(r.err()).startsWith("hearth: invalid address");
    }

    @Test
    void send_toNonContact_exits1WithOneClearLine() {
        Cli.Result r = Cli.run("send", "--home", alice.home().toString(), "--to", otherAddress(), "hi");

        assertThat(r.exit()).isEqualTo(1);
        assertOneCleanErrorLine(r);
        assertThat(r.err()).contains("not a contact");
    }

    @Test
    void send_withoutText_exits2() {
        Cli.Result r = Cli.run("send", "--home", alice.home().toString(), "--to", bob.address());

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("TEXT");
    }

    @Test
    void messages_json_isArrayWithIdSenderTextSentAtDelivered() throws Exception {
        String text = "hello bob, über JSON \"quoted\"";
        Cli.Result sent = Cli.run("send", "--home", alice.home().toString(), "--to", bob.address(), text);
        assertThat(sent.exit()).isZero();
        alice.await("delivery is acknowledged", () -> alice.node().messenger()
                .conversation(bob.node().address()).stream().anyMatch(m -> m.text().equals(text) && m.delivered()));

        JsonNode atAlice = messagesJson(alice, bob);
        JsonNode atBob = messagesJson(bob, alice);

        for (JsonNode list : List.of(atAlice, atBob)) {
            assertThat(list.isArray()).isTrue();
            JsonNode m = find(list, "text", text);
            assertThat(fieldNames(m)).containsExactlyInAnyOrder("id", "sender", "text", "sentAt", "delivered");
            assertThat(m.get("id").asText()).matches("[0-9a-f]{32}");
            assertThat(m.get("sender").asText()).isEqualTo(alice.address());
            assertThat(Instant.parse(m.get("sentAt").asText())).isBeforeOrEqualTo(Instant.now());
            assertThat(m.get("delivered").isBoolean()).isTrue();
        }
        assertThat(find(atAlice, "text", text).get("delivered").asBoolean()).isTrue();
        assertThat(find(atAlice, "text", text).get("id")).isEqualTo(find(atBob, "text", text).get("id"));
    }

    @Test
    void messages_text_marksDirection() {
        Cli.run("send", "--home", bob.home().toString(), "--to", alice.address(), "from bob");

        Cli.Result r = Cli.run("messages", "--home", bob.home().toString(), "--with", alice.address());

        assertThat(r.exit()).isZero();
        assertThat(r.out().lines().filter(l -> l.contains("from bob"))).singleElement()
                .satisfies(l -> assertThat(l).contains(" > "));
    }

    @Test
    void messages_invalidAddress_exits1WithOneClearLine() {
        Cli.Result r = Cli.run("messages", "--home", alice.home().toString(), "--with", "nobody", "--json");

        assertThat(r.exit()).isEqualTo(1);
        assertOneCleanErrorLine(r);
        assertThat(r.err()).startsWith("hearth: invalid address");
    }

    @Test
    void messages_nonContact_exits1WithOneClearLine() {
        Cli.Result r = Cli.run("messages", "--home", alice.home().toString(), "--with", otherAddress(), "--json");

        assertThat(r.exit()).isEqualTo(1);
        assertOneCleanErrorLine(r);
        assertThat(r.err()).contains("not a contact");
    }

    // ---- helpers ----

    /** One line, prefixed "hearth: ", with no exception class names or stack frames. */
    static void assertOneCleanErrorLine(Cli.Result r) {
        assertThat(r.errLines()).as("stderr: %s", r.err()).hasSize(1);
        assertThat(r.err()).startsWith("hearth: ").doesNotContain("Exception").doesNotContain("\tat ");
    }

    private static JsonNode messagesJson(LocalNode at, LocalNode with) throws IOException {
        Cli.Result r = Cli.run("messages", "--home", at.home().toString(), "--with", with.address(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        return JSON.readTree(r.out());
    }

    private static JsonNode find(JsonNode list, String field, String value) {
        for (JsonNode n : list) {
            if (n.path(field).asText().equals(value)) {
                return n;
            }
        }
        throw new AssertionError("no element with " + field + " = " + value + " in " + list);
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String otherAddress() {
        return Identity.generate(RandomSource.secure()).address().text();
    }
}
