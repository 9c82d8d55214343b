/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.serval.dataplane.protocol.Message;

/**
 * Membership the server changes (docs/protocol.md), on the real distribution over real RESTCONF: join-vlan,
 * leave-vlan and disconnect-client reach a connected client's session over TCP (TLS), and the decisions outlive a
 * reconnection; and a client creates, lists and deletes VLANs and lists members on behalf of its user. The client
 * is {@link ProtocolClient}, which says it follows the server's changes (HELLO flag managed); the real client's
 * part is tested with it.
 */
class MembershipTest {
    private static final long MAC = 0x025356000101L;
    private static ServalServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new ServalServer();
        server.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            try {
                final var leaks = server.leaks();
                assertTrue(leaks.isEmpty(), "the server leaked buffers (paranoid leak detection):\n"
                    + String.join("\n", leaks));
            } finally {
                server.close();
            }
        }
    }

    private static String errorTag(final HttpResponse<String> response) {
        return JsonParser.parseString(response.body()).getAsJsonObject().getAsJsonObject("errors")
            .getAsJsonArray("error").get(0).getAsJsonObject().get("error-tag").getAsString();
    }

    private static void ok(final HttpResponse<String> response) {
        assertEquals(2, response.statusCode() / 100, response::body);
    }

    /**
     * A client's registry entry once the node has written it (in the background, after WELCOME).
     */
    private static String entry(final String clientId) throws Exception {
        final long deadline = System.nanoTime() + 15_000_000_000L;
        while (true) {
            final var response = server.get("/data/serval:clients/client=" + clientId + "?content=nonconfig");
            if (response.statusCode() == 200 || System.nanoTime() > deadline) {
                return response.body();
            }
            Thread.sleep(100);
        }
    }

    private static ProtocolClient connect(final String clientId) throws Exception {
        final var client = new ProtocolClient(ServalServer.DATAPLANE_PORT);
        client.hello(clientId);
        client.keepAlive();
        return client;
    }

    @Test
    void joinVlanAndLeaveVlanReachTheSessionAndOutliveAReconnection() throws Exception {
        ok(server.rpc("create-vlan", "{\"name\":\"mb-red\",\"open\":true}"));
        try (var laptop = connect("it-mb-laptop")) {
            ok(server.rpc("join-vlan", "{\"client-id\":\"it-mb-laptop\",\"vlan\":\"mb-red\"}"));
            assertEquals(new Message.Assign("mb-red"), laptop.receive());
            laptop.send(new Message.Join(1, MAC, "mb-red"));
            final var joined = assertInstanceOf(Message.Joined.class, laptop.receive());
            final var client = entry("it-mb-laptop");
            assertTrue(client.contains("\"managed\":true"), client);

            ok(server.rpc("leave-vlan", "{\"client-id\":\"it-mb-laptop\",\"vlan\":\"mb-red\"}"));
            assertEquals(new Message.Removed(joined.vlanRef(), Message.Removed.ADMIN, "mb-red"), laptop.receive());
            laptop.send(new Message.Join(2, MAC, "mb-red"));
            assertEquals(new Message.Error(2, Message.Error.DENIED,
                "an administrator removed client it-mb-laptop from VLAN mb-red"), laptop.receive());
            final var kept = server.get("/data/serval:vlans/vlan=mb-red").body();
            assertTrue(kept.contains("\"decision\":\"removed\"") && kept.contains("it-mb-laptop"), kept);
        }
        try (var laptop = connect("it-mb-laptop")) {
            // removed: nothing is assigned, and its JOIN is still refused
            laptop.send(new Message.Keepalive(5));
            assertEquals(new Message.KeepaliveAck(5), laptop.receive());
            laptop.send(new Message.Join(1, MAC, "mb-red"));
            assertEquals(Message.Error.DENIED, ((Message.Error) laptop.receive()).code());
            ok(server.rpc("join-vlan", "{\"client-id\":\"it-mb-laptop\",\"vlan\":\"mb-red\"}"));
            assertEquals(new Message.Assign("mb-red"), laptop.receive());
        }
        try (var laptop = connect("it-mb-laptop")) {
            assertEquals(new Message.Assign("mb-red"), laptop.receive(), "a member is assigned at every login");
            laptop.send(new Message.Join(1, MAC, "mb-red"));
            final var joined = assertInstanceOf(Message.Joined.class, laptop.receive());
            // deleting the VLAN ends the membership (REMOVED, deleted) and takes the decisions with it
            ok(server.rpc("delete-vlan", "{\"name\":\"mb-red\"}"));
            assertEquals(new Message.Removed(joined.vlanRef(), Message.Removed.DELETED, "mb-red"), laptop.receive());
        }
        ok(server.rpc("create-vlan", "{\"name\":\"mb-red\",\"open\":true}"));
        try (var laptop = connect("it-mb-laptop")) {
            laptop.send(new Message.Keepalive(6));
            assertEquals(new Message.KeepaliveAck(6), laptop.receive(), "a VLAN made again has no old decisions");
        }
        ok(server.rpc("delete-vlan", "{\"name\":\"mb-red\"}"));
    }

    @Test
    void joinVlanOfAClientNotConnectedWaitsForItsLogin() throws Exception {
        ok(server.rpc("create-vlan", "{\"name\":\"mb-later\",\"open\":true}"));
        ok(server.rpc("join-vlan", "{\"client-id\":\"it-mb-later\",\"vlan\":\"mb-later\"}"));
        try (var later = connect("it-mb-later")) {
            assertEquals(new Message.Assign("mb-later"), later.receive());
        }
        // the same from the shell
        final var said = server.shell("serval:client-join it-mb-shell mb-later");
        assertTrue(said.contains("Client it-mb-shell is a member of VLAN mb-later"), said);
        try (var shell = connect("it-mb-shell")) {
            assertEquals(new Message.Assign("mb-later"), shell.receive());
        }
        ok(server.rpc("delete-vlan", "{\"name\":\"mb-later\"}"));
    }

    @Test
    void aClientThatCannotFollowIsRefusedJoinVlanAndToldOfLeaveVlan() throws Exception {
        ok(server.rpc("create-vlan", "{\"name\":\"mb-old\",\"open\":true}"));
        try (var old = new ProtocolClient(ServalServer.DATAPLANE_PORT)) {
            old.hello("it-mb-old", 0);
            old.keepAlive();
            final var refused = server.rpc("join-vlan", "{\"client-id\":\"it-mb-old\",\"vlan\":\"mb-old\"}");
            assertEquals("operation-not-supported", errorTag(refused), refused::body);
            assertTrue(refused.body().contains("cannot follow"), refused::body);
            old.send(new Message.Join(1, MAC, "mb-old"));
            assertInstanceOf(Message.Joined.class, old.receive());
            ok(server.rpc("leave-vlan", "{\"client-id\":\"it-mb-old\",\"vlan\":\"mb-old\"}"));
            assertEquals(new Message.Error(0, Message.Error.DENIED,
                "an administrator removed client it-mb-old from VLAN mb-old"), old.receive());
        }
        ok(server.rpc("delete-vlan", "{\"name\":\"mb-old\"}"));
    }

    @Test
    void disconnectClientSaysByeAdmin() throws Exception {
        try (var victim = connect("it-mb-victim")) {
            entry("it-mb-victim");
            ok(server.rpc("disconnect-client", "{\"client-id\":\"it-mb-victim\"}"));
            assertEquals(new Message.Bye(Message.Bye.ADMIN), victim.receive());
            assertTrue(victim.closedByServer());
        }
    }

    @Test
    void aClientCreatesListsAndDeletesVlansAndSeesWhoIsIn() throws Exception {
        try (var laptop = connect("it-mb-maker"); var phone = connect("it-mb-phone")) {
            laptop.send(new Message.CreateVlan(1, true, "mb-mine"));
            assertEquals(new Message.Done(1), laptop.receive());
            laptop.send(new Message.CreateVlan(2, true, "mb-mine"));
            assertEquals(Message.Error.EXISTS, ((Message.Error) laptop.receive()).code());
            final var owner = server.get("/data/serval:vlans/vlan=mb-mine").body();
            assertTrue(owner.contains("\"owner\":\"" + ServalServer.USER + "\""), owner);

            laptop.send(new Message.Join(3, MAC, "mb-mine"));
            final var joined = assertInstanceOf(Message.Joined.class, laptop.receive());
            phone.send(new Message.Join(1, MAC + 1, "mb-mine"));
            assertInstanceOf(Message.Joined.class, phone.receive());
            phone.send(new Message.ListMembers(2, "mb-mine", ""));
            final var members = assertInstanceOf(Message.Members.class, phone.receive());
            assertEquals(List.of("it-mb-maker", "it-mb-phone"),
                members.members().stream().map(Message.MemberEntry::clientId).toList());
            assertEquals(MAC, members.members().get(0).mac());
            phone.send(new Message.ListVlans(3, "mb-", ""));
            final var listed = assertInstanceOf(Message.Vlans.class, phone.receive());
            assertTrue(listed.vlans().stream().anyMatch(vlan -> vlan.name().equals("mb-mine")), listed::toString);

            // the laptop is a member of what it deletes: it hears of that too, in either order
            laptop.send(new Message.DeleteVlan(4, "mb-mine"));
            assertEquals(Set.of(new Message.Done(4), new Message.Removed(joined.vlanRef(), Message.Removed.DELETED,
                "mb-mine")), Set.of(laptop.receive(), laptop.receive()));
        }
    }
}
