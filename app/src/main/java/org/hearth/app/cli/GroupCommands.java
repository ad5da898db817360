package org.hearth.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.hearth.app.cli.ClientCommands.ClientCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hearth group …}: managed groups, through the running node's API. */
@Command(name = "group", description = "Managed groups: create, members, messages, keys.",
        subcommands = {GroupCommands.Create.class, GroupCommands.Add.class, GroupCommands.Remove.class,
            GroupCommands.Invites.class, GroupCommands.Accept.class, GroupCommands.Send.class,
            GroupCommands.Messages.class, GroupCommands.Members.class, GroupCommands.Status.class,
            GroupCommands.Rotate.class, GroupCommands.Policy.class, GroupCommands.Proofs.class,
            GroupCommands.Move.class, GroupSyncCommand.class})
final class GroupCommands implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    abstract static class GroupCommand extends ClientCommand {
        @Parameters(index = "0", paramLabel = "GROUP", description = "the group id (64 hex characters)")
        String group;

        String path(String sub) {
            return "/v1/groups/" + group + "/" + sub;
        }
    }

    @Command(name = "create", description = "Create a group managed by this node (or by --manager); prints its id.")
    static final class Create extends ClientCommand {
        @Option(names = "--name", required = true)
        String name;
        @Option(names = "--host", paramLabel = "ENDPOINT|self",
                description = "the host that stores its messages: ENDPOINT, or self (this node hosts it and is a member)")
        String host;
        @Option(names = "--manager", paramLabel = "ENDPOINT",
                description = "another node (an accepted contact) that creates and runs the group, with you as writer")
        String manager;
        @Option(names = "--member", paramLabel = "ENDPOINT[:read|:write]",
                description = "a first member, invited at once (repeat for each; writer unless :read). All of them"
                        + " are in the group's first epoch")
        java.util.List<String> members = new java.util.ArrayList<>();

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            if (manager != null) {
                if (!members.isEmpty()) {
                    throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                            "--member is for groups this node manages (not with --manager)");
                }
                body.put("manager", manager);
            } else if (host == null) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "give --host (or --manager)");
            }
            if (host != null) {
                body.put("host", host);
            }
            if (!members.isEmpty()) {
                body.put("members", members.stream().map(GroupCommands::member).toList());
            }
            out().println(Output.field(api().post("/v1/groups", body), "groupId"));
            return 0;
        }
    }

    /** {@code ENDPOINT}, {@code ENDPOINT:read} or {@code ENDPOINT:write} as the API's member object. */
    static Map<String, String> member(String spec) {
        for (String p : new String[] {"read", "write"}) {
            if (spec.endsWith(":" + p)) {
                return Map.of("endpoint", spec.substring(0, spec.length() - p.length() - 1), "permission", p);
            }
        }
        return Map.of("endpoint", spec, "permission", "write");
    }

    @Command(name = "add", description = "Add a member (the manager invites it; a new epoch starts).")
    static final class Add extends GroupCommand {
        @Parameters(index = "1", paramLabel = "ENDPOINT")
        String endpoint;
        @Option(names = "--read-only", description = "the member may read but not post")
        boolean readOnly;

        @Override
        public Integer call() {
            api().post(path("members"), Map.of("endpoint", endpoint, "readOnly", Boolean.toString(readOnly)));
            out().println("added; the member is invited and the group moves to a new key");
            return 0;
        }
    }

    @Command(name = "remove", description = "Remove a member; it gets no key of any later epoch.")
    static final class Remove extends GroupCommand {
        @Parameters(index = "1", paramLabel = "ADDRESS")
        String address;

        @Override
        public Integer call() {
            api().post(path("remove"), Map.of("address", address));
            out().println("removed");
            return 0;
        }
    }

    @Command(name = "invites", description = "Group invites waiting for you to accept.")
    static final class Invites extends ClientCommand {
        @Option(names = "--json", description = "print JSON")
        boolean json;

        @Override
        public Integer call() {
            JsonNode r = api().get("/v1/groups/invites", Map.of());
            return show(r, json, g -> out().printf("%s  %s (manager %s)%n", Output.field(g, "groupId"), Output.field(g, "name"),
                        Output.field(g, "manager")));
        }
    }

    @Command(name = "accept", description = "Accept an invite: the manager then sends the state and key.")
    static final class Accept extends GroupCommand {
        @Override
        public Integer call() {
            api().post(path("accept"), Map.of());
            out().println("accepted; joining");
            return 0;
        }
    }

    @Command(name = "send", description = "Post TEXT; waits for the host to store it, or queues it.")
    static final class Send extends GroupCommand {
        @Parameters(index = "1", paramLabel = "TEXT")
        String text;

        @Override
        public Integer call() {
            String outcome = Output.field(api().post(path("messages"), Map.of("text", text)), "outcome");
            out().println(outcome.equals("stored") ? "sent: the host stored it"
                    : "queued: no host reachable now; it is sent when one is");
            return 0;
        }
    }

    @Command(name = "messages", description = "The group's messages this node has read, in order.")
    static final class Messages extends GroupCommand {
        @Option(names = "--json", description = "print JSON")
        boolean json;

        @Override
        public Integer call() {
            JsonNode r = api().get(path("messages"), Map.of());
            return show(r, json, m -> out().printf("%s %s… %s%n", Output.field(m, "sentAt"),
                        Output.field(m, "sender").substring(0, 8), Output.field(m, "text")));
        }
    }

    @Command(name = "members", description = "The group's members and their permissions.")
    static final class Members extends GroupCommand {
        @Option(names = "--json", description = "print JSON")
        boolean json;

        @Override
        public Integer call() {
            JsonNode r = api().get(path("members"), Map.of());
            return show(r, json, m -> out().printf("%s  %s%n", Output.field(m, "address"), Output.field(m, "permission")));
        }
    }

    @Command(name = "status", description = "Epoch, state hash, manager, hosts, role and alarms.")
    static final class Status extends GroupCommand {
        @Option(names = "--json", description = "print JSON")
        boolean json;

        @Override
        public Integer call() {
            return show(api().get(path("status"), Map.of()), json, r -> out().printf(
                    "group %s (%s), %s, epoch %s%nstate %s%nalarms: %d%n", Output.field(r, "groupId"),
                    Output.field(r, "name"), Output.field(r, "role"), Output.field(r, "epoch"),
                    Output.field(r, "stateHash"), r.path("alarms").size()));
        }
    }

    @Command(name = "rotate", description = "Start a new epoch with a fresh key (manager).")
    static final class Rotate extends GroupCommand {
        @Override
        public Integer call() {
            api().post(path("rotate"), Map.of());
            out().println("rotation requested");
            return 0;
        }
    }

    @Command(name = "policy", description = "Set the group's key policy (manager); prints it.")
    static final class Policy extends GroupCommand {
        @Option(names = "--rotate-every", paramLabel = "DURATION")
        String rotateEvery;
        @Option(names = "--rotate-after-messages", paramLabel = "N")
        Long rotateAfterMessages;
        @Option(names = "--min-rotation-interval", paramLabel = "DURATION")
        String minRotationInterval;
        @Option(names = "--key-catchup", paramLabel = "none|latest|since-join")
        String keyCatchup;
        @Option(names = "--key-retention", paramLabel = "DURATION")
        String keyRetention;
        @Option(names = "--message-retention", paramLabel = "DURATION", description = "hosts drop older messages")
        String messageRetention;
        @Option(names = "--max-messages", paramLabel = "N", description = "hosts keep at most N messages")
        Long maxMessages;

        @Override
        public Integer call() {
            Map<String, String> body = new LinkedHashMap<>();
            put(body, "rotateEvery", rotateEvery);
            put(body, "rotateAfterMessages", rotateAfterMessages == null ? null : rotateAfterMessages.toString());
            put(body, "minRotationInterval", minRotationInterval);
            put(body, "keyCatchup", keyCatchup);
            put(body, "keyRetention", keyRetention);
            put(body, "messageRetention", messageRetention);
            put(body, "maxMessages", maxMessages == null ? null : maxMessages.toString());
            if (!body.isEmpty()) {
                api().post(path("policy"), body);
            }
            Output.json(out(), api().get(path("status"), Map.of()).path("policy"));
            return 0;
        }

        private static void put(Map<String, String> m, String k, String v) {
            if (v != null) {
                m.put(k, v);
            }
        }
    }

    @Command(name = "move", description = "Move the group to another host (manager); history is copied.")
    static final class Move extends GroupCommand {
        @Option(names = "--to", required = true, paramLabel = "ENDPOINT|self")
        String to;

        @Override
        public Integer call() {
            api().post(path("move"), Map.of("to", to));
            out().println("moving: members follow the signed update; the history is copied to the new host");
            return 0;
        }
    }

    @Command(name = "proofs", description = "Export proofs of manager equivocation (JSON) for anyone to check.")
    static final class Proofs extends GroupCommand {
        @Override
        public Integer call() {
            Output.json(out(), api().get(path("proofs"), Map.of()));
            return 0;
        }
    }
}
