package org.hearth.app.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hearth.core.group.GroupId;
import org.hearth.core.group.GroupPolicy;
import org.hearth.core.group.KeyCatchup;
import org.hearth.core.group.Permission;
import org.hearth.node.Node;
import org.hearth.node.UserError;
import org.hearth.node.group.GroupRecord;
import org.hearth.node.group.GroupService;
import org.hearth.node.group.SyncProgress;

/** /v1/groups… resources. */
final class GroupRoutes {
    private static final Duration SEND_WAIT = Duration.ofSeconds(10);
    private final Node node;

    GroupRoutes(Node node) {
        this.node = node;
    }

    Object route(String method, String path, JsonNode body) {
        GroupService groups = node.groups();
        String[] p = path.substring("/v1/groups".length()).split("/");
        // p[0] is "" ; p[1] is the group id or "invites"; p[2] the sub-resource
        if (p.length <= 1) {
            if (method.equals("POST") && body.hasNonNull("manager")) {
                String host = body.path("host").asText("");
                GroupId id = groups.requestGroup(ApiRoutes.text(body, "name"),
                        ApiRoutes.endpoint(ApiRoutes.text(body, "manager")).address(),
                        host.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(ApiRoutes.endpoint(host)));
                return Map.of("groupId", id.hex(), "status", "requested");
            }
            if (method.equals("POST")) {
                String host = ApiRoutes.text(body, "host");
                boolean self = host.equals("self");
                GroupId id = groups.create(ApiRoutes.text(body, "name"),
                        List.of(self ? node.endpoint() : ApiRoutes.endpoint(host)), self, GroupPolicy.DEFAULT,
                        initialMembers(body));
                return Map.of("groupId", id.hex());
            }
            return groups.groups().stream().map(GroupRoutes::summary).toList();
        }
        if (p[1].equals("invites")) {
            return groups.invites().stream().map(GroupRoutes::summary).toList();
        }
        GroupId id = groupId(p[1]);
        String sub = p.length > 2 ? p[2] : "status";
        return switch (method + " " + sub) {
            case "GET status" -> status(groups, id);
            case "GET members" -> members(groups.group(id));
            case "GET sync" -> sync(groups, id);
            case "GET messages" -> groups.messages(id).stream().map(m -> {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("id", m.id().hex());
                o.put("sender", m.sender().text());
                o.put("text", m.text());
                o.put("sentAt", m.sentAt().toString());
                o.put("epoch", m.epoch());
                return o;
            }).toList();
            case "GET proofs" -> groups.proofs(id).stream().map(pr -> Map.of("epoch", pr.epoch(), "manager",
                    pr.manager().text(), "first", hex(pr.first()), "second", hex(pr.second()))).toList();
            case "POST members" -> {
                groups.add(id, ApiRoutes.endpoint(ApiRoutes.text(body, "endpoint")),
                        body.path("readOnly").asBoolean(false) ? Permission.READ : Permission.WRITE);
                yield Map.of("ok", true);
            }
            case "POST remove" -> {
                groups.remove(id, ApiRoutes.address(ApiRoutes.text(body, "address")));
                yield Map.of("ok", true);
            }
            case "POST permission" -> {
                groups.setPermission(id, ApiRoutes.address(ApiRoutes.text(body, "address")),
                        "read".equals(ApiRoutes.text(body, "permission")) ? Permission.READ : Permission.WRITE);
                yield Map.of("ok", true);
            }
            case "POST accept" -> {
                groups.accept(id);
                yield Map.of("ok", true);
            }
            case "POST move" -> {
                String to = ApiRoutes.text(body, "to");
                groups.move(id, List.of(to.equals("self") ? node.endpoint() : ApiRoutes.endpoint(to)));
                yield Map.of("ok", true);
            }
            case "POST rotate" -> {
                groups.rotate(id);
                yield Map.of("ok", true);
            }
            case "POST policy" -> {
                groups.setPolicy(id, policy(groups.group(id), body));
                yield Map.of("ok", true);
            }
            case "POST messages" -> Map.of("outcome", switch (groups.send(id, ApiRoutes.text(body, "text"), SEND_WAIT)) {
                case STORED_BY_HOST -> "stored";
                case QUEUED -> "queued";
            });
            default -> throw new ApiException(404, "no such group resource: " + method + " " + sub);
        };
    }

    /** {@code "members": [{"endpoint": "ADDRESS@HOST:PORT", "permission": "write"|"read"}, …]}, optional. */
    private static List<GroupService.InitialMember> initialMembers(JsonNode body) {
        JsonNode members = body.get("members");
        if (members == null || members.isNull()) {
            return List.of();
        }
        if (!members.isArray() || members.size() > org.hearth.core.group.ManagerEngine.MAX_INITIAL_MEMBERS) {
            throw new UserError(UserError.Kind.INVALID, "'members' is a list of at most "
                    + org.hearth.core.group.ManagerEngine.MAX_INITIAL_MEMBERS + " members");
        }
        List<GroupService.InitialMember> out = new java.util.ArrayList<>();
        for (JsonNode m : members) {
            if (!m.isObject()) {
                throw new UserError(UserError.Kind.INVALID, "each member is {\"endpoint\": …, \"permission\": …}");
            }
            String permission = m.path("permission").asText("write");
            Permission p = switch (permission) {
                case "write" -> Permission.WRITE;
                case "read" -> Permission.READ;
                default -> throw new UserError(UserError.Kind.INVALID, "permission is read or write");
            };
            out.add(new GroupService.InitialMember(ApiRoutes.endpoint(ApiRoutes.text(m, "endpoint")), p));
        }
        return out;
    }

    private static Map<String, Object> summary(GroupRecord g) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("groupId", g.id().hex());
        o.put("name", g.name());
        o.put("manager", g.manager().text());
        o.put("role", g.role().name().toLowerCase());
        o.put("status", g.status().name().toLowerCase());
        o.put("permission", g.permission().wire());
        return o;
    }

    private static Map<String, Object> status(GroupService groups, GroupId id) {
        GroupRecord g = groups.group(id);
        Map<String, Object> o = summary(g);
        o.put("epoch", g.epoch());
        o.put("stateHash", g.head().map(h -> h.state().digest().hex()).orElse(""));
        o.put("hosts", g.head().map(h -> h.state().hosts().stream().map(Object::toString).toList()).orElse(List.of()));
        o.put("keyEpochs", groups.heldKeyEpochs(id));
        o.put("alarms", groups.alarms(id).stream().map(a -> Map.of("kind", a.kind(), "detail", a.detail(), "at",
                a.at().toString())).toList());
        g.head().ifPresent(h -> o.put("policy", policyJson(h.state().policy())));
        return o;
    }

    /**
     * Catch-up progress per host (for {@code group sync}): counts since the loop started or last fell behind,
     * the share read and an estimate of what is left when the host tells its position (docs/protocol.md §8).
     */
    private Map<String, Object> sync(GroupService groups, GroupId id) {
        List<SyncProgress> hosts = groups.sync(id);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("groupId", id.hex());
        o.put("caughtUp", !hosts.isEmpty() && hosts.stream().allMatch(h -> h.state() == SyncProgress.State.CAUGHT_UP));
        o.put("hosts", hosts.stream().map(h -> {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("host", h.host().text());
            e.put("state", h.state().wire());
            e.put("received", h.received());
            e.put("processed", h.processed());
            e.put("stored", h.stored());
            e.put("cursor", h.cursor());
            e.put("head", h.head());
            e.put("fraction", h.fraction().isPresent() ? h.fraction().getAsDouble() : null);
            e.put("remaining", h.remainingEstimate().isPresent() ? h.remainingEstimate().getAsLong() : null);
            // the rate up to the last page committed (both instants are the node's clock)
            double seconds = Duration.between(h.since(), h.updatedAt()).toNanos() / 1e9;
            e.put("perSecond", seconds > 0 ? Math.round(h.processed() / seconds) : 0);
            e.put("since", h.since().toString());
            e.put("updatedAt", h.updatedAt().toString());
            e.put("problem", h.problem());
            return e;
        }).toList());
        return o;
    }

    private static List<Map<String, Object>> members(GroupRecord g) {
        return g.head().map(h -> h.state().members().entrySet().stream().map(e -> {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("address", e.getKey().text());
            o.put("permission", e.getValue().wire());
            return o;
        }).toList()).orElse(List.of());
    }

    private static Map<String, Object> policyJson(GroupPolicy p) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("rotateEvery", Durations.format(p.rotateEvery()));
        o.put("rotateAfterMessages", p.rotateAfterMessages());
        o.put("minRotationInterval", Durations.format(p.minRotationInterval()));
        o.put("keyCatchup", p.keyCatchup().wire());
        o.put("keyRetention", Durations.format(p.keyRetention()));
        o.put("messageRetention", Durations.format(p.messageRetention()));
        o.put("maxMessages", p.maxMessages());
        return o;
    }

    private static GroupPolicy policy(GroupRecord g, JsonNode b) {
        GroupPolicy cur = g.head().orElseThrow(() -> new UserError(UserError.Kind.CONFLICT, "group has no state yet"))
                .state().policy();
        try {
            return new GroupPolicy(
                    b.hasNonNull("rotateEvery") ? Durations.parse(b.get("rotateEvery").asText()) : cur.rotateEvery(),
                    b.hasNonNull("rotateAfterMessages") ? b.get("rotateAfterMessages").asLong() : cur.rotateAfterMessages(),
                    b.hasNonNull("minRotationInterval") ? Durations.parse(b.get("minRotationInterval").asText())
                            : cur.minRotationInterval(),
                    b.hasNonNull("keyCatchup") ? KeyCatchup.parse(b.get("keyCatchup").asText()) : cur.keyCatchup(),
                    b.hasNonNull("keyRetention") ? Durations.parse(b.get("keyRetention").asText()) : cur.keyRetention(),
                    b.hasNonNull("messageRetention") ? Durations.parse(b.get("messageRetention").asText())
                            : cur.messageRetention(),
                    b.hasNonNull("maxMessages") ? b.get("maxMessages").asLong() : cur.maxMessages());
        } catch (IllegalArgumentException e) {
            throw new UserError(UserError.Kind.INVALID, e.getMessage());
        }
    }

    static GroupId groupId(String s) {
        try {
            return GroupId.parse(s);
        } catch (IllegalArgumentException e) {
            throw new UserError(UserError.Kind.INVALID, "invalid group id: " + e.getMessage());
        }
    }

    private static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }
}
