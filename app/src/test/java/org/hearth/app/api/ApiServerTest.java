package org.hearth.app.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.hearth.core.crypto.RandomSource;
import org.hearth.core.identity.Identity;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local HTTP API of a real node in this JVM, spoken to over real loopback HTTP. */
class ApiServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dir;
    static LocalNode node;
    static String token;
    static int port;

    @BeforeAll
    static void startNode() throws Exception {
        node = LocalNode.start(dir.resolve("node"), "api test");
        token = Files.readString(node.home().resolve("api.token"), StandardCharsets.US_ASCII).trim();
        port = Integer.parseInt(Files.readString(node.home().resolve("api.port"), StandardCharsets.US_ASCII).trim());
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    // ---- authentication ----

    @Test
    void request_withToken_isServed() throws Exception {
        Reply r = send(get("/v1/whoami").header("Authorization", "Bearer " + token));

        assertThat(r.status).isEqualTo(200);
        assertThat(r.json.path("address").asText()).isEqualTo(node.address());
        assertThat(r.json.path("endpoint").asText()).isEqualTo(node.endpoint());
    }

    @Test
    void request_withoutToken_is401() throws Exception {
        Reply r = send(get("/v1/whoami"));

        assertThat(r.status).isEqualTo(401);
        assertThat(r.json.path("error").asText()).contains("token");
        assertThat(r.raw).doesNotContain(node.address());
    }

    @Test
    void request_wrongToken_is401() throws Exception {
        char[] wrong = token.toCharArray();
        wrong[wrong.length - 1] = wrong[wrong.length - 1] == '0' ? '1' : '0';

        for (String header : List.of("Bearer " + new String(wrong), "Bearer " + token.substring(0, token.length() - 1),
                "Bearer " + token + "0", "Bearer ", "Basic " + token, token)) {
            Reply r = send(get("/v1/whoami").header("Authorization", header));
            assertThat(r.status).as("Authorization: %s", header).isEqualTo(401);
            assertThat(r.raw).doesNotContain(node.address());
        }
    }

    @Test
    void request_withoutToken_doesNotReachTheNode() throws Exception {
        String stranger = otherAddress();

        Reply r = send(post("/v1/contacts", json(Map.of("endpoint", stranger + "@127.0.0.1:9"))));

        assertThat(r.status).isEqualTo(401);
        assertThat(node.node().messenger().contacts(true)).noneMatch(c -> c.address().text().equals(stranger));
    }

    @Test
    void tokenFile_afterStart_isOwnerReadWriteOnlyAnd256BitHex() throws Exception {
        Path file = node.home().resolve("api.token");
        assumeTrue(file.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX file system");

        assertThat(Files.getPosixFilePermissions(file))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(token).matches("[0-9a-f]{64}");
        assertThat(node.home().resolve("api.token.tmp")).doesNotExist();
    }

    @Test
    void server_boundToLoopback_refusesConnectionsOnOtherAddresses() throws Exception {
        List<InetAddress> others = NetworkInterface.networkInterfaces()
                .filter(ApiServerTest::isUp)
                .flatMap(NetworkInterface::inetAddresses)
                .filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress() && !a.isAnyLocalAddress())
                .filter(a -> !(a instanceof Inet6Address))
                .toList();
        assumeTrue(!others.isEmpty(), "this host has no non-loopback IPv4 address");

        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
        }
        for (InetAddress a : others) {
            assertThatThrownBy(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(a, port), 2_000);
                }
            }).as("connect to %s:%d", a.getHostAddress(), port).isInstanceOf(IOException.class);
        }
    }

    // ---- routing and request limits ----

    @Test
    void route_unknown_is404WithJsonError() throws Exception {
        Reply r = send(authed(get("/v1/nope")));

        assertThat(r.status).isEqualTo(404);
        assertThat(r.contentType).isEqualTo("application/json");
        assertThat(r.json.path("error").asText()).contains("/v1/nope");
    }

    @Test
    void route_knownPathWrongMethod_is404WithJsonError() throws Exception {
        Reply r = send(authed(HttpRequest.newBuilder(uri("/v1/whoami")).DELETE()));

        assertThat(r.status).isEqualTo(404);
        assertThat(r.json.path("error").asText()).isNotEmpty();
    }

    @Test
    void body_over64KiB_is413() throws Exception {
        byte[] body = new byte[ApiServer.MAX_BODY + 1];
        Arrays.fill(body, (byte) ' ');

        Reply r = send(authed(HttpRequest.newBuilder(uri("/v1/contacts"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))));

        assertThat(r.status).isEqualTo(413);
        assertThat(r.json.path("error").asText()).contains("too large");
    }

    @Test
    void body_ofOneMiB_is413() throws Exception {
        byte[] body = new byte[1024 * 1024];
        Arrays.fill(body, (byte) ' ');

        Reply r = send(authed(HttpRequest.newBuilder(uri("/v1/messages"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))));

        assertThat(r.status).isEqualTo(413);
    }

    @Test
    void body_exactly64KiB_isReadAndValidated() throws Exception {
        String prefix = "{\"endpoint\":\"";
        String suffix = "\"}";
        String body = prefix + "x".repeat(ApiServer.MAX_BODY - prefix.length() - suffix.length()) + suffix;
        assertThat(body.getBytes(StandardCharsets.UTF_8)).hasSize(ApiServer.MAX_BODY);

        Reply r = send(authed(post("/v1/contacts", body)));

        assertThat(r.status).isEqualTo(400);
        assertThat(r.json.path("error").asText()).startsWith("invalid endpoint");
    }

    @Test
    void createGroup_membersMalformed_is400AndNothingCreated() throws Exception {
        int before = node.node().groups().groups().size();
        String member = otherAddress() + "@127.0.0.1:9";

        for (String members : List.of("\"x\"", "[\"" + member + "\"]",
                "[{\"endpoint\": \"" + member + "\", \"permission\": \"admin\"}]", "[{\"permission\": \"read\"}]")) {
            Reply r = send(authed(post("/v1/groups", "{\"name\": \"g\", \"host\": \"self\", \"members\": " + members
                    + "}")));
            assertThat(r.status).as("members %s", members).isEqualTo(400);
        }
        Reply ok = send(authed(post("/v1/groups", "{\"name\": \"g\", \"host\": \"self\", \"members\": [{\"endpoint\": \""
                + member + "\", \"permission\": \"read\"}]}")));
        assertThat(ok.status).isEqualTo(200);
        assertThat(node.node().groups().groups()).hasSize(before + 1);
    }

    @Test
    void body_malformedJson_is400() throws Exception {
        Reply r = send(authed(post("/v1/messages", "{\"to\": \"abc\", \"text\": ")));

        assertThat(r.status).isEqualTo(400);
        assertThat(r.json.path("error").asText()).contains("not JSON");
    }

    @Test
    void body_jsonWithoutRequiredField_is400NamingTheField() throws Exception {
        Reply r = send(authed(post("/v1/messages", "{\"text\": \"hi\"}")));

        assertThat(r.status).isEqualTo(400);
        assertThat(r.json.path("error").asText()).contains("'to'");
    }

    @Test
    void body_jsonArrayInsteadOfObject_is400() throws Exception {
        Reply r = send(authed(post("/v1/contacts", "[\"" + otherEndpoint() + "\"]")));

        assertThat(r.status).isEqualTo(400);
    }

    // ---- resources ----

    @Test
    void postMessages_invalidAddress_is400WithReason() throws Exception {
        Reply r = send(authed(post("/v1/messages", json(Map.of("to", "not-an-address", "text", "hi")))));

        assertThat(r.status).isEqualTo(400);
        assertThat(r.json.path("error").asText()).startsWith("invalid address:").contains("56 characters");
    }

    @Test
    void postMessages_addressWithBadChecksum_is400() throws Exception {
        String a = node.address();
        String typo = a.substring(0, 10) + (a.charAt(10) == 'a' ? 'b' : 'a') + a.substring(11);

        Reply r = send(authed(post("/v1/messages", json(Map.of("to", typo, "text", "hi")))));

        assertThat(r.status).isEqualTo(400);
        assertThat(r.json.path("error").asText()).startsWith("invalid address:").contains("checksum");
    }

    @Test
    void postMessages_toNonContact_is404() throws Exception {
        Reply r = send(authed(post("/v1/messages", json(Map.of("to", otherAddress(), "text", "hi")))));

        assertThat(r.status).isEqualTo(404);
        assertThat(r.json.path("error").asText()).contains("not a contact");
    }

    @Test
    void postMessages_emptyText_is400() throws Exception {
        Reply r = send(authed(post("/v1/messages", json(Map.of("to", otherAddress(), "text", "")))));

        assertThat(r.status).isEqualTo(400);
        assertThat(r.json.path("error").asText()).contains("4000");
    }

    @Test
    void getMessages_withoutWith_is400() throws Exception {
        Reply r = send(authed(get("/v1/messages")));

        assertThat(r.status).isEqualTo(400);
        assertThat(r.json.path("error").asText()).contains("address is missing");
    }

    @Test
    void getMessages_withNonContact_is404() throws Exception {
        Reply r = send(authed(get("/v1/messages?with=" + otherAddress())));

        assertThat(r.status).isEqualTo(404);
    }

    @Test
    void postContacts_ownAddress_is400() throws Exception {
        Reply r = send(authed(post("/v1/contacts", json(Map.of("endpoint", node.endpoint())))));

        assertThat(r.status).isEqualTo(400);
        assertThat(r.json.path("error").asText()).contains("own address");
    }

    @Test
    void postContacts_twice_secondIs200RequestedAgain() throws Exception {
        String endpoint = otherEndpoint();

        Reply first = send(authed(post("/v1/contacts", json(Map.of("endpoint", endpoint)))));
        Reply second = send(authed(post("/v1/contacts", json(Map.of("endpoint", endpoint)))));

        assertThat(first.status).isEqualTo(200);
        assertThat(first.json.path("status").asText()).isEqualTo("requested");
        assertThat(second.status).isEqualTo(200);
        Reply list = send(authed(get("/v1/contacts")));
        String address = endpoint.substring(0, endpoint.indexOf('@'));
        assertThat(list.json.findValuesAsText("address")).containsOnlyOnce(address);
    }

    @Test
    void postContactsAccept_withoutRequest_is404() throws Exception {
        Reply r = send(authed(post("/v1/contacts/accept", json(Map.of("address", otherAddress())))));

        assertThat(r.status).isEqualTo(404);
    }

    // ---- change long poll ----

    @Test
    void changes_afterBelowCurrent_returnsImmediately() throws Exception {
        send(authed(post("/v1/contacts", json(Map.of("endpoint", otherEndpoint())))));
        long current = node.node().changes().version();
        assertThat(current).isPositive();

        long start = System.nanoTime();
        Reply r = send(authed(get("/v1/changes?after=" + (current - 1) + "&timeoutMs=30000")));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(r.status).isEqualTo(200);
        assertThat(r.json.path("version").asLong()).isGreaterThanOrEqualTo(current);
        assertThat(took).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void changes_afterNotYetReached_waitsForTimeoutThenReturnsCurrent() throws Exception {
        // far above the current version, so that background commits (dials, earlier tests) cannot end the wait
        long after = node.node().changes().version() + 1_000_000;

        long start = System.nanoTime();
        Reply r = send(authed(get("/v1/changes?after=" + after + "&timeoutMs=400")));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(r.status).isEqualTo(200);
        assertThat(r.json.path("version").asLong()).isNotNegative().isLessThan(after);
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(400)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void changes_afterCurrent_returnsWhenSomethingChanges() throws Exception {
        long current = node.node().changes().version();
        CompletableFuture<Reply> poll = CompletableFuture.supplyAsync(() -> {
            try {
                return send(authed(get("/v1/changes?after=" + current + "&timeoutMs=30000")));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        send(authed(post("/v1/contacts", json(Map.of("endpoint", otherEndpoint())))));
        Reply r = poll.get(20, TimeUnit.SECONDS);

        assertThat(r.status).isEqualTo(200);
        assertThat(r.json.path("version").asLong()).isGreaterThan(current);
    }

    @Test
    void changes_nonNumericAfter_is400() throws Exception {
        Reply r = send(authed(get("/v1/changes?after=soon")));

        assertThat(r.status).isEqualTo(400);
        assertThat(r.json.path("error").asText()).contains("numbers");
    }

    @Test
    void changes_negativeTimeout_returnsImmediately() throws Exception {
        long current = node.node().changes().version();
        long start = System.nanoTime();

        Reply r = send(authed(get("/v1/changes?after=" + (current + 1000) + "&timeoutMs=-5")));

        assertThat(r.status).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    // ---- helpers ----

    private record Reply(int status, String contentType, String raw, JsonNode json) {
    }

    private static Reply send(HttpRequest.Builder req) throws IOException, InterruptedException {
        HttpResponse<String> resp = HTTP.send(req.timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        JsonNode json;
        try {
            json = JSON.readTree(resp.body());
        } catch (IOException e) {
            json = JSON.missingNode();
        }
        return new Reply(resp.statusCode(), resp.headers().firstValue("Content-Type").orElse(""), resp.body(), json);
    }

    private static URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
    }

    private static HttpRequest.Builder get(String pathAndQuery) {
        return HttpRequest.newBuilder(uri(pathAndQuery)).GET();
    }

    private static HttpRequest.Builder post(String path, String body) {
        return HttpRequest.newBuilder(uri(path))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    }

    private static HttpRequest.Builder authed(HttpRequest.Builder req) {
        return req.header("Authorization", "Bearer " + token);
    }

    private static String json(Map<String, String> m) throws IOException {
        return JSON.writeValueAsString(m);
    }

    /** A valid address of a node that does not exist. */
    private static String otherAddress() {
        return Identity.generate(RandomSource.secure()).address().text();
    }

    /** A valid endpoint nobody listens on (port 9 on loopback: discard, normally closed). */
    private static String otherEndpoint() {
        return otherAddress() + "@127.0.0.1:9";
    }

    private static boolean isUp(NetworkInterface i) {
        try {
            return i.isUp();
        } catch (IOException e) {
            return false;
        }
    }
}
