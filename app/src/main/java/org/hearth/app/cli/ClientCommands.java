package org.hearth.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import org.hearth.app.api.ApiClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Commands that talk to a running node through its local API. */
final class ClientCommands {
    private ClientCommands() {
    }

    abstract static class ClientCommand implements Callable<Integer> {
        @Mixin
        HomeOption home;
        @Spec
        CommandSpec spec;

        ApiClient api() {
            return ApiClient.forHome(home.home);
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        /** Prints {@code r} as JSON, or each element (or the object) as a line of text. */
        int show(JsonNode r, boolean json, java.util.function.Consumer<JsonNode> asText) {
            if (json) {
                Output.json(out(), r);
            } else if (r.isArray()) {
                r.forEach(asText);
            } else {
                asText.accept(r);
            }
            return 0;
        }
    }

    @Command(name = "whoami", description = "Print the running node's endpoint.")
    static final class Whoami extends ClientCommand {
        @Option(names = "--json", description = "print JSON")
        boolean json;

        @Override
        public Integer call() {
            return show(api().get("/v1/whoami", Map.of()), json, r -> out().println(Output.field(r, "endpoint")));
        }
    }

    @Command(name = "contacts", description = "Manage contacts.",
            subcommands = {ContactsAdd.class, ContactsAccept.class, ContactsList.class})
    static final class Contacts implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().usage(spec.commandLine().getErr());
            return 2;
        }
    }

    @Command(name = "add", description = "Send a contact request to ENDPOINT (ADDRESS@HOST:PORT).")
    static final class ContactsAdd extends ClientCommand {
        @Parameters(paramLabel = "ENDPOINT")
        String endpoint;

        @Override
        public Integer call() {
            JsonNode r = api().post("/v1/contacts", Map.of("endpoint", endpoint));
            out().println(r.path("status").asText().equals("accepted")
                    ? "accepted their earlier request; you are now contacts"
                    : "contact request queued; it is delivered when the peer is reachable");
            return 0;
        }
    }

    @Command(name = "accept", description = "Accept the contact request from ADDRESS.")
    static final class ContactsAccept extends ClientCommand {
        @Parameters(paramLabel = "ADDRESS")
        String address;

        @Override
        public Integer call() {
            api().post("/v1/contacts/accept", Map.of("address", address));
            out().println("accepted");
            return 0;
        }
    }

    @Command(name = "list", description = "List contacts (managers and hosts only with --all).")
    static final class ContactsList extends ClientCommand {
        @Option(names = "--all", description = "include managers and hosts")
        boolean all;
        @Option(names = "--json", description = "print JSON")
        boolean json;

        @Override
        public Integer call() {
            JsonNode r = api().get("/v1/contacts", Map.of("all", Boolean.toString(all)));
            return show(r, json, c -> out().printf("%s  %-9s %-7s %s%n", Output.field(c, "address"),
                    Output.field(c, "status"), Output.field(c, "kind"), Output.field(c, "name")));
        }
    }

    @Command(name = "send", description = "Send TEXT to a contact. Returns once stored locally; delivery follows.")
    static final class Send extends ClientCommand {
        @Option(names = "--to", required = true, paramLabel = "ADDRESS")
        String to;
        @Parameters(paramLabel = "TEXT")
        String text;

        @Override
        public Integer call() {
            JsonNode r = api().post("/v1/messages", Map.of("to", to, "text", text));
            out().println("stored " + Output.field(r, "id") + "; it is delivered when the peer is reachable");
            return 0;
        }
    }

    @Command(name = "messages", description = "Show the conversation with a contact, oldest first.")
    static final class Messages extends ClientCommand {
        @Option(names = "--with", required = true, paramLabel = "ADDRESS")
        String with;
        @Option(names = "--json", description = "print JSON")
        boolean json;

        @Override
        public Integer call() {
            JsonNode r = api().get("/v1/messages", Map.of("with", with));
            return show(r, json, m -> {
                boolean mine = !Output.field(m, "sender").equals(with);
                out().printf("%s %s %s%s%n", Output.field(m, "sentAt"), mine ? ">" : "<", Output.field(m, "text"),
                        mine && !m.path("delivered").asBoolean() ? "  (not delivered yet)" : "");
            });
        }
    }
}
