/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.serval.client.control.ControlClient;
import org.serval.client.control.ControlException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The commands that steer a running client over its control socket, one request each (docs/client-control.md).
 */
public final class ControlCommands {
    // A join waits for the server (up to 10 s an answer) and a list for every page of it.
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private ControlCommands() {
        // commands only
    }

    /**
     * Where the running client's control socket is.
     */
    public static final class SocketOption {
        @Option(names = "--socket", paramLabel = "PATH",
            defaultValue = "${env:SERVAL_CLIENT_SOCKET:-/run/serval-client/control.sock}",
            description = "the running client's control socket (default: $SERVAL_CLIENT_SOCKET, else "
                + "/run/serval-client/control.sock)")
        Path socket;
    }

    /**
     * What every control command does: send its request, print the answer or say why there is none.
     */
    abstract static class ControlCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        SocketOption socketOption;

        /**
         * The request object ({@code cmd} and its fields).
         */
        abstract JsonObject request();

        /**
         * Prints the answer's result for people (or as JSON, for the commands with --json).
         */
        abstract void print(JsonObject result, PrintWriter out);

        static JsonObject command(final String name) {
            final var request = new JsonObject();
            request.addProperty("cmd", name);
            return request;
        }

        @Override
        public Integer call() {
            final var out = spec.commandLine().getOut();
            try {
                print(ControlClient.call(socketOption.socket, request(), TIMEOUT), out);
                out.flush();
                return 0;
            } catch (ControlException e) {
                final var errors = spec.commandLine().getErr();
                errors.println("serval-client " + spec.name() + ": " + e.getMessage());
                errors.flush();
                return e.exitCode();
            }
        }
    }

    static String text(final JsonObject object, final String key) {
        final JsonElement value = object.get(key);
        return value == null || value.isJsonNull() ? "-" : value.getAsString();
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
        description = "Shows the running client: server, node, connection, and per VLAN its interface, MAC, state "
            + "and frame counters. Answers at once, from the client's memory.")
    public static final class Status extends ControlCommand {
        @Option(names = "--json", description = "print the status as one JSON object (fields: "
            + "docs/client-control.md)")
        boolean json;

        @Override
        JsonObject request() {
            return command("status");
        }

        @Override
        void print(final JsonObject result, final PrintWriter out) {
            if (json) {
                out.println(result);
                return;
            }
            printStatus(result, out);
        }
    }

    static void printStatus(final JsonObject status, final PrintWriter out) {
        out.printf("SERVAL client %s -> %s over %s, node %s, %s%s, %s failover(s)%n", text(status, "clientId"),
            text(status, "server"), text(status, "transport"), text(status, "node"), text(status, "state"),
            status.has("reason") && !status.get("reason").isJsonNull() ? " (" + text(status, "reason") + ")" : "",
            text(status, "failovers"));
        out.printf("  %-16s %-15s %-17s %-9s %12s %12s %9s %9s%n", "VLAN", "interface", "MAC", "state",
            "frames out", "frames in", "dropped", "resolved");
        for (var element : status.getAsJsonArray("vlans")) {
            final var vlan = element.getAsJsonObject();
            out.printf("  %-16s %-15s %-17s %-9s %12s %12s %9s %9s%n", text(vlan, "name"), text(vlan, "interface"),
                text(vlan, "mac"), text(vlan, "state"), text(vlan, "framesOut"), text(vlan, "framesIn"),
                text(vlan, "dropped"), text(vlan, "resolved"));
            if (vlan.has("reason") && !vlan.get("reason").isJsonNull()) {
                out.printf("    %s: %s%n", text(vlan, "name"), text(vlan, "reason"));
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
        description = "Lists the VLANs this client's user may see on the server: members, open or not, joined here "
            + "or not, and the interface when joined.")
    public static final class ListVlans extends ControlCommand {
        @Option(names = "--json", description = "print the list as one JSON object")
        boolean json;

        @Override
        JsonObject request() {
            return command("list");
        }

        @Override
        void print(final JsonObject result, final PrintWriter out) {
            if (json) {
                out.println(result);
                return;
            }
            out.printf("%-24s %8s %-5s %-7s %s%n", "VLAN", "members", "open", "joined", "interface");
            for (var element : result.getAsJsonArray("vlans")) {
                final var vlan = element.getAsJsonObject();
                out.printf("%-24s %8s %-5s %-7s %s%n", text(vlan, "name"), text(vlan, "members"),
                    vlan.get("open").getAsBoolean() ? "yes" : "no", vlan.get("joined").getAsBoolean() ? "yes" : "no",
                    text(vlan, "interface"));
            }
        }
    }

    @Command(name = "join", mixinStandardHelpOptions = true,
        description = "Joins a VLAN now: creates its TAP interface, brings it up and joins over the current "
            + "connection. Kept across reconnections and restarts until 'leave'.")
    public static final class Join extends ControlCommand {
        @Parameters(paramLabel = "VLAN", description = "the VLAN to join")
        String vlan;

        @Option(names = "--iface", paramLabel = "NAME", description = "the interface's name (default: the next "
            + "free servalN)")
        String iface;

        @Override
        JsonObject request() {
            final var request = command("join");
            request.addProperty("vlan", vlan);
            if (iface != null) {
                request.addProperty("iface", iface);
            }
            return request;
        }

        @Override
        void print(final JsonObject result, final PrintWriter out) {
            out.printf("Joined %s as %s (%s)%n", text(result, "name"), text(result, "interface"),
                text(result, "mac"));
        }
    }

    @Command(name = "leave", mixinStandardHelpOptions = true,
        description = "Leaves a VLAN and removes its interface; it is not joined again at reconnection or restart.")
    public static final class Leave extends ControlCommand {
        @Parameters(paramLabel = "VLAN", description = "the VLAN to leave")
        String vlan;

        @Override
        JsonObject request() {
            final var request = command("leave");
            request.addProperty("vlan", vlan);
            return request;
        }

        @Override
        void print(final JsonObject result, final PrintWriter out) {
            out.printf("Left %s%n", vlan);
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
        description = "Creates a VLAN on the server, where access control lets this client's user.")
    public static final class Create extends ControlCommand {
        @Parameters(paramLabel = "VLAN", description = "the VLAN to create")
        String vlan;

        @Option(names = "--open", description = "let every user join it")
        boolean open;

        @Override
        JsonObject request() {
            final var request = command("create");
            request.addProperty("vlan", vlan);
            request.addProperty("open", open);
            return request;
        }

        @Override
        void print(final JsonObject result, final PrintWriter out) {
            out.printf("Created %s%s%n", vlan, open ? " (open)" : "");
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
        description = "Deletes a VLAN on the server, where access control lets this client's user (by default its "
            + "owner).")
    public static final class Delete extends ControlCommand {
        @Parameters(paramLabel = "VLAN", description = "the VLAN to delete")
        String vlan;

        @Override
        JsonObject request() {
            final var request = command("delete");
            request.addProperty("vlan", vlan);
            return request;
        }

        @Override
        void print(final JsonObject result, final PrintWriter out) {
            out.printf("Deleted %s%n", vlan);
        }
    }

    @Command(name = "members", mixinStandardHelpOptions = true,
        description = "Lists the members of a VLAN: client, MAC and the IP addresses the server learned.")
    public static final class Members extends ControlCommand {
        @Parameters(paramLabel = "VLAN", description = "the VLAN")
        String vlan;

        @Option(names = "--json", description = "print the members as one JSON object")
        boolean json;

        @Override
        JsonObject request() {
            final var request = command("members");
            request.addProperty("vlan", vlan);
            return request;
        }

        @Override
        void print(final JsonObject result, final PrintWriter out) {
            if (json) {
                out.println(result);
                return;
            }
            out.printf("%-24s %-17s %s%n", "client", "MAC", "addresses");
            for (var element : result.getAsJsonArray("members")) {
                final var member = element.getAsJsonObject();
                final var addresses = new StringBuilder();
                if (member.has("addresses")) {
                    for (var address : member.getAsJsonArray("addresses")) {
                        addresses.append(addresses.isEmpty() ? "" : " ").append(address.getAsString());
                    }
                }
                out.printf("%-24s %-17s %s%n", text(member, "client"), text(member, "mac"), addresses);
            }
        }
    }

    @Command(name = "up", mixinStandardHelpOptions = true,
        description = "Connects again after 'down' (or after an administrator disconnected the client) and joins "
            + "the VLANs again.")
    public static final class Up extends ControlCommand {
        @Override
        JsonObject request() {
            return command("up");
        }

        @Override
        void print(final JsonObject result, final PrintWriter out) {
            printStatus(result, out);
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true,
        description = "Ends the session with the server (BYE); the client keeps running and its interfaces stay, "
            + "set down, until 'up'.")
    public static final class Down extends ControlCommand {
        @Override
        JsonObject request() {
            return command("down");
        }

        @Override
        void print(final JsonObject result, final PrintWriter out) {
            printStatus(result, out);
        }
    }
}
