package org.hearth.app.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hearth.core.identity.Address;
import org.hearth.core.identity.Endpoint;
import org.hearth.core.identity.InvalidAddressException;
import org.hearth.node.Node;
import org.hearth.node.UserError;
import org.hearth.node.chat.ChatMessage;
import org.hearth.node.contacts.Contact;

/** The API's resources. Responses are plain maps so the JSON shape is visible here. */
final class ApiRoutes {
    private final Node node;
    private final GroupRoutes groups;

    ApiRoutes(Node node) {
        this.node = node;
        this.groups = new GroupRoutes(node);
    }

    Object route(String method, String path, Map<String, String> query, JsonNode body) {
        if (path.equals("/v1/groups") || path.startsWith("/v1/groups/")) {
            return groups.route(method, path, body);
        }
        return switch (method + " " + path) {
            case "GET /v1/whoami" -> Map.of("address", node.address().text(), "endpoint", node.endpoint().toString());
            case "GET /v1/contacts" -> node.messenger().contacts("true".equals(query.get("all"))).stream()
                    .map(ApiRoutes::contact).toList();
            case "POST /v1/contacts" -> contact(node.messenger().addContact(endpoint(text(body, "endpoint"))));
            case "POST /v1/contacts/accept" -> contact(node.messenger().acceptContact(address(text(body, "address"))));
            case "POST /v1/messages" -> message(node.messenger().send(address(text(body, "to")), text(body, "text")));
            case "GET /v1/messages" -> messages(node.messenger().conversation(address(query.get("with"))));
            case "GET /v1/changes" -> Map.of("version", awaitChange(query));
            default -> throw new ApiException(404, "no such API resource: " + method + " " + path);
        };
    }

    /** Long poll: returns when the node's change counter passes {@code after}, or after {@code timeoutMs}. */
    private long awaitChange(Map<String, String> query) {
        long after;
        long timeoutMs;
        try {
            after = Long.parseLong(query.getOrDefault("after", "-1"));
            timeoutMs = Math.min(30_000, Math.max(0, Long.parseLong(query.getOrDefault("timeoutMs", "10000"))));
        } catch (NumberFormatException e) {
            throw new UserError(UserError.Kind.INVALID, "after and timeoutMs must be numbers");
        }
        try {
            return node.changes().awaitAfter(after, java.time.Duration.ofMillis(timeoutMs));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "node is stopping");
        }
    }

    private static List<Map<String, Object>> messages(List<ChatMessage> list) {
        return list.stream().map(ApiRoutes::message).toList();
    }

    static Map<String, Object> contact(Contact c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("address", c.address().text());
        m.put("name", c.name());
        m.put("kind", c.kind().wire());
        m.put("status", c.status().wire());
        return m;
    }

    static Map<String, Object> message(ChatMessage msg) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", msg.id().hex());
        m.put("sender", msg.sender().text());
        m.put("text", msg.text());
        m.put("sentAt", msg.sentAt().toString());
        m.put("delivered", msg.delivered());
        return m;
    }

    static String text(JsonNode body, String field) {
        JsonNode n = body == null ? null : body.get(field);
        if (n == null || !n.isTextual()) {
            throw new UserError(UserError.Kind.INVALID, "missing field '" + field + "'");
        }
        return n.textValue();
    }

    static Address address(String s) {
        try {
            return Address.parse(s);
        } catch (InvalidAddressException e) {
            throw new UserError(UserError.Kind.INVALID, "invalid address: " + e.getMessage());
        }
    }

    static Endpoint endpoint(String s) {
        try {
            return Endpoint.parse(s);
        } catch (InvalidAddressException e) {
            throw new UserError(UserError.Kind.INVALID, "invalid endpoint: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new UserError(UserError.Kind.INVALID, "invalid endpoint: " + e.getMessage());
        }
    }
}
