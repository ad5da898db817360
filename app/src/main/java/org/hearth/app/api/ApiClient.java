package org.hearth.app.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** Talks to a running node's local API, using the port and token the node left in its home. */
public final class ApiClient {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    private final String token;

    private ApiClient(int port, String token) {
        this.base = URI.create("http://127.0.0.1:" + port);
        this.token = token;
    }

    public static ApiClient forHome(Path home) {
        try {
            ApiFiles.Access a = ApiFiles.read(home);
            return new ApiClient(a.port(), a.token());
        } catch (NoSuchFileException e) {
            throw notRunning(home);
        } catch (IOException e) {
            throw new ApiException(0, "cannot read the node's API files in " + home + ": " + e.getMessage());
        }
    }

    public JsonNode get(String path, Map<String, String> query) {
        StringBuilder q = new StringBuilder();
        query.forEach((k, v) -> q.append(q.isEmpty() ? "?" : "&").append(k).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return call(HttpRequest.newBuilder(base.resolve(path + q)).GET());
    }

    public JsonNode post(String path, Map<String, ?> body) {
        try {
            byte[] b = ApiServer.JSON.writeValueAsBytes(body);
            return call(HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.ofByteArray(b)));
        } catch (IOException e) {
            throw new ApiException(0, e.getMessage());
        }
    }

    private JsonNode call(HttpRequest.Builder req) {
        HttpResponse<byte[]> resp;
        try {
            resp = http.send(req.header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            throw new ApiException(0, "the node is not running (start it with `hearth run`)");
        } catch (IOException e) {
            throw new ApiException(0, "cannot reach the node: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(0, "interrupted");
        }
        JsonNode json;
        try {
            json = ApiServer.JSON.readTree(resp.body());
        } catch (IOException e) {
            throw new ApiException(resp.statusCode(), "the node answered with something that is not JSON");
        }
        if (resp.statusCode() != 200) {
            throw new ApiException(resp.statusCode(), json.path("error").asText("error " + resp.statusCode()));
        }
        return json;
    }

    private static ApiException notRunning(Path home) {
        return new ApiException(0, "no running node in " + home + " (start it with `hearth run --home " + home + "`)");
    }
}
