/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client.gui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.serval.client.ClientFailure;
import org.serval.client.control.ClientControl;
import org.serval.client.control.ControlClient;
import org.serval.client.control.ControlException;
import org.serval.client.control.ControlRequests;
import org.serval.client.control.ControlServer;
import org.serval.client.gui.GuiState.Health;

/**
 * The GUI's model against a real control socket (AF_UNIX, in a temporary directory) served by the real
 * {@link ControlServer} over a scripted client: what it polls, what the user's clicks send, and the words of each
 * error state. No display is needed.
 */
class GuiModelTest {
    @TempDir
    Path dir;

    private Path socket;
    private final FakeClient fake = new FakeClient();
    private ControlServer server;
    private GuiModel model;

    /**
     * A client whose status the test sets; it records what it was asked.
     */
    static final class FakeClient implements ClientControl {
        final List<String> calls = new CopyOnWriteArrayList<>();
        volatile String state = "connected";
        volatile long frames;
        volatile boolean redJoined = true;

        @Override
        public JsonObject status() {
            final var status = new JsonObject();
            status.addProperty("clientId", "laptop");
            status.addProperty("user", "alice");
            status.addProperty("server", "127.0.0.1:4000");
            status.addProperty("transport", "tcp");
            status.addProperty("node", "node-1");
            status.addProperty("connected", "connected".equals(state));
            status.addProperty("state", state);
            status.add("reason", null);
            status.addProperty("failovers", 0);
            final var vlans = new JsonArray();
            if (redJoined) {
                final var red = new JsonObject();
                red.addProperty("name", "red");
                red.addProperty("interface", "serval0");
                red.addProperty("mac", "02:8c:1e:55:03:9a");
                red.addProperty("state", "joined");
                red.add("reason", null);
                red.addProperty("framesOut", frames);
                red.addProperty("framesIn", 2 * frames);
                red.addProperty("dropped", 0);
                red.addProperty("resolved", 1);
                red.addProperty("address", "10.0.0.5/24");
                vlans.add(red);
            }
            status.add("vlans", vlans);
            return status;
        }

        @Override
        public JsonObject list() {
            calls.add("list");
            final var vlans = new JsonArray();
            vlans.add(vlan("red", 2, redJoined));
            vlans.add(vlan("blue", 0, false));
            final var result = new JsonObject();
            result.add("vlans", vlans);
            return result;
        }

        private static JsonObject vlan(final String name, final int members, final boolean joined) {
            final var vlan = new JsonObject();
            vlan.addProperty("name", name);
            vlan.addProperty("members", members);
            vlan.addProperty("open", true);
            vlan.addProperty("joined", joined);
            vlan.add("interface", null);
            return vlan;
        }

        @Override
        public JsonObject join(final String vlan, final String iface) throws ControlException {
            calls.add("join " + vlan);
            if ("nope".equals(vlan)) {
                throw new ControlException("vlan-refused", ClientFailure.VLAN_REFUSED,
                    "the server refused: access control refuses join of nope");
            }
            final var result = new JsonObject();
            result.addProperty("name", vlan);
            return result;
        }

        @Override
        public JsonObject leave(final String vlan) {
            calls.add("leave " + vlan);
            redJoined = false;
            return new JsonObject();
        }

        @Override
        public JsonObject create(final String vlan, final boolean open) {
            calls.add("create " + vlan + " " + open);
            return new JsonObject();
        }

        @Override
        public JsonObject delete(final String vlan) {
            calls.add("delete " + vlan);
            return new JsonObject();
        }

        @Override
        public JsonObject members(final String vlan) {
            calls.add("members " + vlan);
            final var member = new JsonObject();
            member.addProperty("client", "desktop");
            member.addProperty("user", "bob");
            member.addProperty("mac", "02:41:aa:07:10:c2");
            member.addProperty("node", "node-1");
            final var addresses = new JsonArray();
            addresses.add("10.0.0.2");
            member.add("addresses", addresses);
            final var members = new JsonArray();
            members.add(member);
            final var result = new JsonObject();
            result.addProperty("vlan", vlan);
            result.add("members", members);
            return result;
        }

        @Override
        public JsonObject up() {
            calls.add("up");
            state = "connected";
            return status();
        }

        @Override
        public JsonObject down() {
            calls.add("down");
            state = "down";
            return status();
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        socket = dir.resolve("control.sock");
        server = ControlServer.open(socket, new ControlRequests(fake));
        model = new GuiModel(socket, (request, timeout) -> ControlClient.call(socket, request, timeout),
            Duration.ofMillis(50));
    }

    @AfterEach
    void tearDown() {
        model.close();
        server.close();
    }

    private GuiState await(final String what, final Predicate<GuiState> condition) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            final var state = model.state();
            if (condition.test(state)) {
                return state;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what + ": " + state);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void showsTheServerTheVlansAndTheMembersOfTheSelectedOne() throws Exception {
        model.start();
        var state = await("connected with the list", s -> s.health() == Health.CONNECTED && s.vlans().size() == 2);
        assertNull(state.message());
        assertEquals("127.0.0.1:4000", state.status().server());
        assertEquals("laptop", state.status().clientId());
        assertEquals(2, state.vlans().get(0).members());
        final var red = state.status().vlan("red");
        assertEquals("serval0", red.iface());
        assertEquals("02:8c:1e:55:03:9a", red.mac());
        assertEquals(List.of("10.0.0.5/24"), red.addresses(), "the address the status names is shown");

        model.select("red");
        state = await("members of red", s -> !s.members().isEmpty());
        final var member = state.members().get(0);
        assertEquals("desktop", member.client());
        assertEquals("02:41:aa:07:10:c2", member.mac());
        assertEquals(List.of("10.0.0.2"), member.addresses());
        assertTrue(fake.calls.contains("members red"), fake.calls.toString());
    }

    @Test
    void clicksSendTheirRequestsForThatVlan() throws Exception {
        model.start();
        await("connected", s -> s.health() == Health.CONNECTED);
        model.join("blue");
        await("joined", s -> fake.calls.contains("join blue"));
        model.leave("red");
        await("red left and shown so", s -> s.status() != null && s.status().vlan("red") == null);
        assertTrue(fake.calls.contains("leave red"), fake.calls.toString());
        model.create("green", true);
        await("created and joined", s -> fake.calls.contains("join green"));
        assertTrue(fake.calls.indexOf("create green true") < fake.calls.indexOf("join green"), fake.calls.toString());
        model.disconnect();
        var state = await("down", s -> s.health() == Health.DOWN);
        assertTrue(state.message().contains("Connect"), state.message());
        model.connect();
        state = await("up again", s -> s.health() == Health.CONNECTED);
        assertNull(state.actionError());
    }

    @Test
    void theOneClickCheckBoxJoinsAndLeaves() throws Exception {
        model.start();
        final var state = await("the list", s -> s.vlans().size() == 2);
        final var table = new ServalWindow.VlanTableModel(model);
        table.show(state);
        assertEquals(Boolean.TRUE, table.getValueAt(table.indexOf("red"), 0), "red is joined: its box is ticked");
        assertEquals(Boolean.FALSE, table.getValueAt(table.indexOf("blue"), 0));
        table.setValueAt(Boolean.TRUE, table.indexOf("blue"), 0);
        await("blue joined", s -> fake.calls.contains("join blue"));
        table.setValueAt(Boolean.FALSE, table.indexOf("red"), 0);
        await("red left", s -> fake.calls.contains("leave red"));
    }

    @Test
    void aRefusedJoinShowsTheServersWords() throws Exception {
        model.start();
        await("connected", s -> s.health() == Health.CONNECTED);
        model.join("nope");
        final var state = await("refused", s -> s.actionError() != null);
        assertEquals("Refused: the server refused: access control refuses join of nope", state.actionError());
        assertNull(state.pending());
    }

    @Test
    void noServiceSaysSoAndHowToStartIt() throws Exception {
        server.close();
        model.start();
        final var state = await("no service", s -> s.health() == Health.NO_SERVICE);
        assertTrue(state.message().contains("not running") && state.message().contains(socket.toString())
            && state.message().contains("systemctl start serval-client"), state.message());
        assertNull(state.status());

        server = ControlServer.open(socket, new ControlRequests(fake));
        final var back = await("the service back", s -> s.health() == Health.CONNECTED);
        assertNull(back.message());
    }

    @Test
    void anUnreachableServerIsSaidAndNotAskedForLists() throws Exception {
        fake.state = "reconnecting";
        model.start();
        final var state = await("reconnecting", s -> s.health() == Health.RECONNECTING);
        assertTrue(state.message().contains("127.0.0.1:4000 unreachable"), state.message());
        fake.state = "connecting";
        final var connecting = await("connecting", s -> s.health() == Health.CONNECTING);
        assertTrue(connecting.message().startsWith("Not logged in yet"), connecting.message());
        assertFalse(fake.calls.contains("list"), "list goes to the server: not asked while offline");
    }

    @Test
    void countersBecomeAThroughputHistory() throws Exception {
        model.start();
        await("a first sample", s -> s.throughput().containsKey("red") && !s.throughput().get("red").in().isEmpty());
        fake.frames = 1000;
        var state = await("frames counted", s -> s.throughput().get("red").lastIn() > 0);
        assertTrue(state.throughput().get("red").lastIn() > state.throughput().get("red").lastOut(),
            "in counts twice the frames of out here");
        state = await("quiet again", s -> s.throughput().get("red").lastIn() == 0);
        assertTrue(state.throughput().get("red").in().size() <= GuiModel.HISTORY);
        await("the history is bounded", s -> s.throughput().get("red").in().size() == GuiModel.HISTORY);
    }

    @Test
    void eachFailureHasItsWords() {
        final var permission = new ControlException("permission", ClientFailure.PERMISSION, "denied");
        assertEquals(Health.NO_PERMISSION, Messages.healthOf(permission));
        assertTrue(Messages.ofService(permission, socket).contains("group serval"));
        final var timeout = new ControlException("timeout", ClientFailure.CONTROL, "no answer within 5 s");
        assertEquals(Health.NOT_ANSWERING, Messages.healthOf(timeout));
        assertTrue(Messages.ofService(timeout, socket).contains("no answer within 5 s"));
        assertTrue(Messages.ofRequest(new ControlException("not-connected", ClientFailure.CONNECTION_LOST,
            "the client is not connected"), socket).startsWith("Not logged in"));
        assertTrue(Messages.ofRequest(new ControlException("auth", ClientFailure.AUTH, "bad password"), socket)
            .startsWith("Login refused"));
    }
}
