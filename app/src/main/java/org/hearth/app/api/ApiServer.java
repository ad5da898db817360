package org.hearth.app.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.Executors;
import org.hearth.core.crypto.RandomSource;
import org.hearth.node.Node;
import org.hearth.node.UserError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's local HTTP API: 127.0.0.1 only, every request needs the bearer token from {@code api.token}.
 * Handlers are thin: parse, call the node, map errors to statuses here in one place.
 */
public final class ApiServer implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    static final int MAX_BODY = 64 * 1024;
    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final Path home;
    private final byte[] token;

    private ApiServer(HttpServer server, Path home, byte[] token) {
        this.server = server;
        this.home = home;
        this.token = token;
    }

    public static ApiServer start(Node node, Path home, RandomSource random) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        String token = HexFormat.of().formatHex(random.bytes(32));
        ApiServer api = new ApiServer(server, home, token.getBytes(StandardCharsets.US_ASCII));
        ApiRoutes routes = new ApiRoutes(node);
        server.createContext("/v1/", exchange -> api.handle(exchange, routes));
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        ApiFiles.write(home, server.getAddress().getPort(), token);
        return api;
    }

    private void handle(HttpExchange ex, ApiRoutes routes) throws IOException {
        // the response must be sent before the exchange closes, so errors are mapped inside the try
        try (ex) {
            if (!authorised(ex)) {
                respond(ex, 401, error("missing or wrong API token"));
                return;
            }
            int status = 200;
            Object body;
            try {
                Map<String, String> query = query(ex.getRequestURI().getRawQuery());
                JsonNode json = "POST".equals(ex.getRequestMethod()) ? readBody(ex.getRequestBody()) : null;
                body = routes.route(ex.getRequestMethod(), ex.getRequestURI().getPath(), query, json);
            } catch (UserError e) {
                status = switch (e.kind()) {
                    case INVALID -> 400;
                    case NOT_FOUND -> 404;
                    case CONFLICT -> 409;
                };
                body = error(e.getMessage());
            } catch (ApiException e) {
                status = e.status();
                body = error(e.getMessage());
            } catch (RuntimeException e) {
                LOG.warn("API request failed", e);
                status = 500;
                body = error("internal error; see the node's log");
            }
            respond(ex, status, body);
        }
    }

    private boolean authorised(HttpExchange ex) {
        String h = ex.getRequestHeaders().getFirst("Authorization");
        if (h == null || !h.startsWith("Bearer ")) {
            return false;
        }
        return MessageDigest.isEqual(token, h.substring(7).trim().getBytes(StandardCharsets.US_ASCII));
    }

    private static JsonNode readBody(InputStream in) throws IOException {
        byte[] b = in.readNBytes(MAX_BODY + 1);
        if (b.length > MAX_BODY) {
            throw new ApiException(413, "request body too large");
        }
        try {
            return b.length == 0 ? JSON.createObjectNode() : JSON.readTree(b);
        } catch (IOException e) {
            throw new ApiException(400, "request body is not JSON");
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    private static Map<String, String> error(String message) {
        return Map.of("error", message);
    }

    private static void respond(HttpExchange ex, int status, Object body) throws IOException {
        byte[] b = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    @Override
    public void close() {
        ApiFiles.remove(home);
        server.stop(0);
    }
}
