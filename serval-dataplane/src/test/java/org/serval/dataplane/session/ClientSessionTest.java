/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.serval.api.AccessPolicy;
import org.serval.api.FloodPolicy;
import org.serval.api.LocalSecurityView;
import org.serval.api.LocalVlanView;
import org.serval.api.NodeInfo;
import org.serval.api.VlanInfo;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.ethernet.Offload;
import org.serval.dataplane.ethernet.SuperFrames;
import org.serval.dataplane.protocol.LeakCheck;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.MessageCodec;
import org.serval.dataplane.protocol.NodeLists;
import org.serval.dataplane.protocol.StreamPipeline;
import org.serval.dataplane.protocol.Wire;
import org.serval.dataplane.resolution.Frames;

/**
 * Sessions on {@link EmbeddedChannel}s sharing one dataplane, with the real {@link LocalVlanView} and a registry
 * that, as the controller does, records connections and memberships in it.
 */
@ExtendWith(LeakCheck.class)
class ClientSessionTest {
    private final LocalVlanView view = new LocalVlanView();
    private final ViewRegistry registry = new ViewRegistry(view);
    private final LocalSecurityView security = TestUsers.view();
    private final Dataplane dataplane = new Dataplane(DataplaneSettings.defaults("n1"), view, registry,
        TestUsers.gatekeeper(security));
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    ClientSessionTest() {
        view.putVlan(new VlanInfo("red", 10, "", 256, false, null));
        view.putVlan(new VlanInfo("blue", 20, "", 256, false, null));
        view.putVlan(new VlanInfo("duo", 0, "", 2, false, null));
        view.putVlan(new VlanInfo("lobby", 0, "", 256, true, null));
    }

    @AfterEach
    void closeChannels() {
        for (var channel : channels) {
            channel.finishAndReleaseAll();
        }
    }

    private EmbeddedChannel connect() {
        final var channel = new EmbeddedChannel();
        StreamPipeline.addProtocol(channel.pipeline()).addLast("session", new StreamLink(dataplane, "tcp", channel));
        channels.add(channel);
        return channel;
    }

    private static void send(final EmbeddedChannel channel, final Message message) {
        Wire.inject(channel, message);
    }

    /**
     * Everything the session sent, decoded; Data messages come back as "Data ref=N" strings.
     */
    private static List<Object> received(final EmbeddedChannel channel) {
        channel.runPendingTasks();
        final var out = new ArrayList<Object>();
        for (ByteBuf bytes = channel.readOutbound(); bytes != null; bytes = channel.readOutbound()) {
            try {
                final var message = MessageCodec.decode(bytes);
                if (message instanceof Message.Data data) {
                    out.add("Data ref=" + data.vlanRef() + " len=" + data.content().readableBytes());
                    data.release();
                } else {
                    out.add(message);
                }
            } finally {
                bytes.release();
            }
        }
        return out;
    }

    /**
     * What the session sent, waiting (bounded) for the first answer: a login is checked on another thread.
     */
    private static List<Object> answered(final EmbeddedChannel channel) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        var out = received(channel);
        while (out.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
            out = received(channel);
        }
        return out;
    }

    private EmbeddedChannel client(final String id, final String... vlans) throws InterruptedException {
        final var channel = connect();
        send(channel, TestUsers.hello(id));
        assertEquals(List.of(new Message.Welcome(1, "n1", 5000, 3, 1400)), answered(channel));
        long request = 1;
        for (var vlan : vlans) {
            send(channel, new Message.Join(request, 0x025356000000L + id.hashCode() % 1000 + 1, vlan));
            final var answer = received(channel);
            assertInstanceOf(Message.Joined.class, answer.get(0), answer.toString());
            request++;
        }
        return channel;
    }

    private static Message.Data broadcast(final int vlanRef, final long src) {
        return new Message.Data(vlanRef, Frames.plain(Frames.BROADCAST, src, 0x0806));
    }

    @Test
    void broadcastReachesTheVlansOtherMembersOnly() throws Exception {
        final var a = client("alice", "red");
        final var b = client("bob", "red");
        final var c = client("carol", "blue");
        send(a, broadcast(1, 0x02000000000AL));
        assertEquals(List.of("Data ref=1 len=60"), received(b));
        assertEquals(List.of(), received(a), "not back to the sender");
        assertEquals(List.of(), received(c), "not into another VLAN");

        dataplane.sweep(System.nanoTime());
        assertTrue(registry.events.contains("counters alice in 1 out 0"), registry.events.toString());
        assertTrue(registry.events.contains("counters bob in 0 out 1"), registry.events.toString());
        final int reports = registry.events.size();
        dataplane.sweep(System.nanoTime());
        assertEquals(reports, registry.events.size(), "unchanged counters are not reported again");
    }

    private EmbeddedChannel offloadClient(final String id) throws InterruptedException {
        final var channel = connect();
        send(channel, new Message.Hello(1, id, Message.Hello.OFFLOAD, TestUsers.USER, Message.Hello.AUTH_PASSWORD,
            TestUsers.PASSWORD));
        assertEquals(List.of(new Message.Welcome(1, "n1", 5000, 3, 1400)), answered(channel));
        send(channel, new Message.Join(1, 0x025356000000L + id.hashCode() % 1000 + 1, "red"));
        assertInstanceOf(Message.Joined.class, received(channel).get(0));
        return channel;
    }

    @Test
    void superFramesReachOffloadingClientsWholeAndOthersCut() throws Exception {
        final var alice = offloadClient("alice");
        final var bob = client("bob", "red");
        final var carol = offloadClient("carol");
        // 10,000 bytes of a TCP stream in one frame, as alice's TAP hands it out
        final var frame = SuperFrames.tcp(true, new byte[10_000], 0x18);
        send(alice, new Message.Data(1, frame, new Offload(Offload.NEEDS_CSUM, Offload.GSO_TCPV4, 54, 1448, 34,
            16)));
        assertEquals(List.of("Data ref=1 len=10054"), received(carol), "whole, to a client that offloads");
        final var cut = received(bob);
        assertEquals(7, cut.size(), "in MSS-sized segments to one that does not: " + cut);
        assertEquals("Data ref=1 len=1502", cut.get(0));
        assertEquals("Data ref=1 len=1366", cut.get(6));

        // a client that did not ask for offloads may not send them
        send(bob, new Message.Data(1, SuperFrames.tcp(true, new byte[100], 0x18), new Offload(Offload.NEEDS_CSUM,
            Offload.GSO_NONE, 0, 0, 34, 16)));
        final var refusal = received(bob);
        assertInstanceOf(Message.Error.class, refusal.get(0), refusal.toString());
        assertEquals(Message.Error.MALFORMED, ((Message.Error) refusal.get(0)).code());
        assertTrue(alice.isActive());
    }

    /**
     * A logged-in client that asks faster than any honest one (here 1,000 keepalives at once, against 200 a second
     * with two seconds of burst) is cut off with LIMIT instead of costing the node a core; one that asks within the
     * burst gets every answer.
     */
    @Test
    void aClientFloodingRequestsIsCutOffAndOneWithinTheBurstIsNot() throws Exception {
        final var calm = client("calm");
        for (int i = 0; i < 300; i++) {
            send(calm, new Message.Keepalive(i));
        }
        final var answers = received(calm);
        assertEquals(300, answers.size(), "every request within the burst answered");
        assertTrue(calm.isActive());

        final var flooder = client("flooder");
        for (int i = 0; i < 1_000 && flooder.isActive(); i++) {
            send(flooder, new Message.Keepalive(i));
        }
        final var replies = received(flooder);
        final var last = replies.get(replies.size() - 1);
        assertInstanceOf(Message.Error.class, last, "cut off: " + last);
        assertEquals(Message.Error.LIMIT, ((Message.Error) last).code());
        // the burst, and what the bucket refilled while the loop ran
        assertTrue(replies.size() <= 3 * Bounds.REQUESTS_PER_SECOND, replies.size() + " answers before the cut");
        assertFalse(flooder.isActive(), "the connection is closed");
    }

    @Test
    void theFirstMessageMustBeHello() throws Exception {
        final var channel = connect();
        send(channel, new Message.Keepalive(1));
        final var answer = received(channel);
        assertEquals(Message.Error.MALFORMED, ((Message.Error) answer.get(0)).code());
        assertFalse(channel.isActive(), "the connection is closed");
    }

    @Test
    void joinRefusalsSayWhy() throws Exception {
        final var a = client("alice");
        send(a, new Message.Join(7, 0x020000000001L, "nope"));
        assertEquals(List.of(new Message.Error(7, Message.Error.UNKNOWN_VLAN, "VLAN nope does not exist")),
            received(a));
        client("bob", "duo");
        client("carol", "duo");
        send(a, new Message.Join(8, 0x020000000001L, "duo"));
        assertEquals(List.of(new Message.Error(8, Message.Error.VLAN_FULL, "VLAN duo is full")), received(a));
        assertTrue(a.isActive(), "a refused join does not end the session");
    }

    @Test
    void framesForVlansNotJoinedAreDropped() throws Exception {
        final var a = client("alice", "red");
        final var b = client("bob", "red");
        send(a, broadcast(9, 0x02000000000AL));
        assertEquals(List.of(), received(b));
        // the VLAN is deleted: the membership check on every frame stops its traffic at once
        view.removeVlan("red");
        send(a, broadcast(1, 0x02000000000AL));
        assertEquals(List.of(), received(b));
    }

    @Test
    void keepaliveIsAnsweredAndListVlansWorks() throws Exception {
        final var a = client("alice", "red");
        send(a, new Message.Keepalive(42));
        assertEquals(List.of(new Message.KeepaliveAck(42)), received(a));
        send(a, new Message.ListVlans(5, "r"));
        assertEquals(List.of(new Message.Vlans(5, List.of(new Message.VlanEntry("red", 1, false)))), received(a));
    }

    @Test
    void resolveAsksTheSwitchsAddressTable() throws Exception {
        final var a = client("alice", "red");
        final var b = client("bob", "red");
        final long bobMac = 0x02BB00000002L;
        // bob answers an ARP question: the switch learns 10.0.0.2 is bob's
        send(b, new Message.Data(1, Frames.arpReply(bobMac, 0x0A000002, 0x02AA00000001L, 0x0A000001)));
        received(a);
        send(a, new Message.Resolve(5, 1, new byte[] {10, 0, 0, 2}));
        assertEquals(List.of(new Message.Resolved(5, true, bobMac)), received(a));
        send(a, new Message.Resolve(6, 1, new byte[] {10, 0, 0, 3}));
        assertEquals(List.of(new Message.Resolved(6, false, 0)), received(a));
        send(a, new Message.Resolve(7, 9, new byte[] {10, 0, 0, 2}));
        assertEquals(Message.Error.UNKNOWN_VLAN, ((Message.Error) received(a).get(0)).code());
    }

    @Test
    void malformedInputClosesOnlyThatConnection() throws Exception {
        final var a = client("alice", "red");
        final var b = client("bob", "red");
        final var garbage = Unpooled.wrappedBuffer(new byte[] {1, 0x10, 0, 4, 0, 1, -1, -1});
        try {
            a.writeInbound(garbage);
        } catch (io.netty.handler.codec.DecoderException e) {
            // EmbeddedChannel rethrows what the pipeline saw; the session has handled it already
        }
        a.runPendingTasks();
        assertFalse(a.isActive());
        assertTrue(registry.events.contains("disconnected alice error"), registry.events.toString());
        assertFalse(view.isKnownClient("alice"));
        send(b, new Message.Keepalive(1));
        assertEquals(List.of(new Message.KeepaliveAck(1)), received(b), "the others carry on");
    }

    @Test
    void closingASessionDetachesItEverywhere() throws Exception {
        final var a = client("alice", "red");
        final var b = client("bob", "red");
        b.close();
        assertTrue(registry.events.contains("disconnected bob closed"), registry.events.toString());
        send(a, broadcast(1, 0x02000000000AL));
        assertNull(b.readOutbound());
        assertTrue(dataplane.disconnect("alice"));
        a.runPendingTasks();
        assertFalse(a.isActive());
        assertTrue(registry.events.contains("disconnected alice administrative"), registry.events.toString());
    }

    /**
     * Sends a HELLO that must be refused: the answer is one ERROR with this code and message, the connection is
     * closed, and the registry never heard of the client.
     */
    private void assertRefused(final Message.Hello hello, final int code, final String why) throws Exception {
        final var channel = connect();
        send(channel, hello);
        final var answer = answered(channel);
        assertEquals(1, answer.size(), answer.toString());
        final var error = assertInstanceOf(Message.Error.class, answer.get(0));
        assertEquals(code, error.code(), error.toString());
        assertTrue(error.message().contains(why), error.message());
        assertFalse(channel.isActive(), "a refused login closes the connection");
        assertFalse(registry.events.contains("connected " + hello.clientId()), registry.events.toString());
    }

    @Test
    void loginsWithoutTheRightCredentialsAreRefusedAndDisturbNobody() throws Exception {
        final var a = client("alice", "red");
        final var b = client("bob", "red");
        security.putUser(TestUsers.user("revoked", false, 8));
        assertRefused(TestUsers.hello("c1", TestUsers.USER, "wrong"), Message.Error.AUTH_FAILED,
            "unknown user or wrong password");
        assertRefused(TestUsers.hello("c2", "ghost", TestUsers.PASSWORD), Message.Error.AUTH_FAILED,
            "unknown user or wrong password");
        assertRefused(TestUsers.hello("c3", "revoked", TestUsers.PASSWORD), Message.Error.AUTH_FAILED,
            "user revoked is disabled");
        assertRefused(new Message.Hello(1, "c4", 0, "", Message.Hello.AUTH_NONE, ""), Message.Error.AUTH_FAILED,
            "requires a user name and password");
        assertRefused(new Message.Hello(1, "c5", 0, TestUsers.USER, Message.Hello.AUTH_CERTIFICATE, ""),
            Message.Error.AUTH_FAILED, "client certificate does not belong");
        assertRefused(new Message.Hello(1, "c6", Message.Hello.TICKET, TestUsers.USER, Message.Hello.AUTH_PASSWORD,
            TestUsers.PASSWORD), Message.Error.AUTH_FAILED, "over TLS only");
        send(a, broadcast(1, 0x02000000000AL));
        assertEquals(List.of("Data ref=1 len=60"), received(b), "the members carry on");
    }

    @Test
    void repeatedFailuresFromOneSourceAreRefusedWithoutACheck() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertRefused(TestUsers.hello("c" + i, TestUsers.USER, "guess" + i), Message.Error.AUTH_FAILED,
                "wrong password");
        }
        assertRefused(TestUsers.hello("c9"), Message.Error.LIMIT, "too many failed logins");
    }

    @Test
    void accessControlDecidesJoins() throws Exception {
        security.setPolicy(AccessPolicy.DEFAULT);
        final var a = client("alice");
        send(a, new Message.Join(1, 0x025356000001L, "red"));
        final var refusal = assertInstanceOf(Message.Error.class, received(a).get(0));
        assertEquals(Message.Error.DENIED, refusal.code());
        assertEquals("user tester may not join VLAN red", refusal.message());
        assertTrue(a.isActive(), "a refused join does not end the session");
        send(a, new Message.Join(2, 0x025356000001L, "lobby"));
        assertInstanceOf(Message.Joined.class, received(a).get(0), "an open VLAN may be joined");
        assertFalse(view.isMember("alice", "red"));
    }

    @Test
    void usersHaveTheirOwnClientIdsAndAClientLimit() throws Exception {
        security.putUser(TestUsers.user("bob", true, 1));
        final var b1 = connect();
        send(b1, TestUsers.hello("b1", "bob", TestUsers.PASSWORD));
        assertInstanceOf(Message.Welcome.class, answered(b1).get(0));
        assertRefused(TestUsers.hello("b2", "bob", TestUsers.PASSWORD), Message.Error.LIMIT,
            "user bob has 1 clients connected");
        final var taker = connect();
        send(taker, TestUsers.hello("b1"));
        final var takeover = assertInstanceOf(Message.Error.class, answered(taker).get(0));
        assertEquals(Message.Error.DENIED, takeover.code());
        assertEquals("client id b1 is in use by another user", takeover.message());
        assertTrue(b1.isActive(), "nobody can take another user's client over");

        assertEquals(1, dataplane.disconnectUser("bob"), "revoking bob");
        assertEquals(List.of(new Message.Bye(0)), received(b1));
        assertFalse(b1.isActive());
    }

    @Test
    void stormControlHoldsAFlooderToItsRateAndSparesUnicast() throws Exception {
        view.putVlan(new VlanInfo("storm", 0, "", 256, false, null, new FloodPolicy(FloodPolicy.Action.RATE_LIMIT,
            FloodPolicy.Action.DROP, 5)));
        final var flooder = client("flooder", "storm");
        final var victim = client("victim", "storm");
        send(victim, new Message.Data(1, Frames.plain(0x02000000000AL, 0x02000000000BL, 0x0800)));
        for (int i = 0; i < 50; i++) {
            send(flooder, broadcast(1, 0x02000000000AL));
        }
        send(flooder, new Message.Data(1, Frames.plain(0x0100_5e00_0001L, 0x02000000000AL, 0x0800)));
        final var delivered = received(victim);
        // one second's worth of broadcasts (and one more if the test ran slowly enough to earn it), no multicast
        assertTrue(delivered.size() == 5 || delivered.size() == 6, delivered.toString());
        send(flooder, new Message.Data(1, Frames.plain(0x02000000000BL, 0x02000000000AL, 0x0800)));
        assertEquals(List.of("Data ref=1 len=60"), received(victim), "unicast is not storm-controlled");
        dataplane.sweep(System.nanoTime());
        assertTrue(registry.events.contains("counters flooder in " + (delivered.size() + 1) + " out 1"),
            registry.events.toString());
    }

    @Test
    void stormControlHoldsUnknownUnicastToTheFloodRateAndSparesKnownUnicast() throws Exception {
        final int rate = 5;
        view.putVlan(new VlanInfo("storm", 0, "", 256, false, null, new FloodPolicy(FloodPolicy.Action.RATE_LIMIT,
            FloodPolicy.Action.RATE_LIMIT, rate)));
        final var flooder = client("flooder", "storm");
        final var victim = client("victim", "storm");
        final long victimMac = 0x025356000000L + "victim".hashCode() % 1000 + 1;
        final long start = System.nanoTime();
        for (int i = 0; i < 10_000; i++) {
            // a different made-up MAC each time: none is ever learned, so each would be flooded
            send(flooder, new Message.Data(1, Frames.plain(0x02AB00000000L + i, 0x02000000000AL, 0x0800)));
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        final var delivered = received(victim);
        // the bucket's one second's worth, and what it earned while the burst lasted
        final long most = rate + (long) Math.ceil(seconds * rate);
        assertTrue(delivered.size() >= rate && delivered.size() <= most,
            delivered.size() + " of 10,000 unknown-unicast frames flooded, at most " + most + " allowed");

        for (int i = 0; i < 100; i++) {
            send(flooder, new Message.Data(1, Frames.plain(victimMac, 0x02000000000AL, 0x0800)));
        }
        assertEquals(100, received(victim).size(), "unicast to a known MAC is not storm-controlled");
        dataplane.sweep(System.nanoTime());
        assertTrue(registry.events.contains("counters flooder in " + (delivered.size() + 100) + " out 0"),
            registry.events.toString());
    }

    @Test
    void fortyLongVlanNamesArePagedAndNeverEndTheSession() throws Exception {
        final var names = new ArrayList<String>();
        for (int i = 0; i < 40; i++) {
            // 64 bytes, the longest a VLAN name may be
            final var name = "w" + "x".repeat(61) + String.format("%02d", i);
            names.add(name);
            view.putVlan(new VlanInfo(name, 100 + i, "", 256, true, null));
        }
        final var a = client("alice");

        // a client that does not page: the first page, as many as fit one message, in the layout it knows
        send(a, new Message.ListVlans(1, "w"));
        final var first = assertInstanceOf(Message.Vlans.class, received(a).get(0));
        assertFalse(first.paged());
        assertEquals(names.subList(0, first.vlans().size()), first.vlans().stream().map(Message.VlanEntry::name)
            .toList());
        assertTrue(first.vlans().size() >= 29, "29 entries of 68 bytes fit 2,048: " + first.vlans().size());
        assertTrue(MessageCodec.encodedLength(first) <= MessageCodec.MAX_MESSAGE);

        // one that pages: a cursor from the first request, and "more" until the last page
        final var listed = new ArrayList<String>();
        String after = "";
        for (int request = 2; request < 10; request++) {
            send(a, new Message.ListVlans(request, "w", after));
            final var page = assertInstanceOf(Message.Vlans.class, received(a).get(0));
            assertTrue(page.paged());
            assertTrue(MessageCodec.encodedLength(page) <= MessageCodec.MAX_MESSAGE);
            page.vlans().forEach(vlan -> listed.add(vlan.name()));
            if (!page.more()) {
                break;
            }
            after = listed.get(listed.size() - 1);
        }
        assertEquals(names, listed, "every VLAN once, in order");
        assertTrue(a.isActive(), "the session carries on");
        send(a, new Message.Keepalive(3));
        assertEquals(List.of(new Message.KeepaliveAck(3)), received(a));
    }

    @Test
    void aDozenNodesWithLongNamesGoInPartsThatAClientAssembles() throws Exception {
        final var a = client("alice");
        final var infos = new ArrayList<NodeInfo>();
        for (int i = 0; i < 12; i++) {
            // 64-byte node ids (host names) and long addresses, over both transports
            final var id = "node-" + "n".repeat(57) + String.format("%02d", i);
            final var host = "host-" + String.format("%02d", i) + "." + "d".repeat(120) + ".example.org";
            infos.add(new NodeInfo(id, List.of(new NodeInfo.Endpoint("tcp", host, 4000),
                new NodeInfo.Endpoint("udp", host, 4000)), null, "f".repeat(64), 1, 5));
        }
        dataplane.nodesChanged(infos);
        final var parts = received(a);
        assertTrue(parts.size() > 1, "24 entries of over 200 bytes need several messages: " + parts.size());
        final var assembler = new NodeLists.Assembler();
        List<Message.NodeEntry> assembled = List.of();
        for (var part : parts) {
            final var nodes = assertInstanceOf(Message.Nodes.class, part);
            assertTrue(MessageCodec.encodedLength(nodes) <= MessageCodec.MAX_MESSAGE);
            assembled = assembler.add(nodes);
        }
        assertEquals(24, assembled.size());
        assertEquals(infos.get(0).id(), assembled.get(0).nodeId());
        assertEquals(infos.get(11).endpoints().get(1).host(), assembled.get(23).host());
        assertTrue(a.isActive(), "the session carries on");

        // a client that logs in now gets the parts right after its WELCOME
        final var late = connect();
        send(late, TestUsers.hello("bob"));
        final var answer = answered(late);
        assertInstanceOf(Message.Welcome.class, answer.get(0));
        final var lateAssembler = new NodeLists.Assembler();
        List<Message.NodeEntry> lateList = List.of();
        for (var part : answer.subList(1, answer.size())) {
            lateList = lateAssembler.add(assertInstanceOf(Message.Nodes.class, part));
        }
        assertEquals(assembled, lateList);
    }

    @Test
    void aFullNodeSendsNewClientsToALighterOneAndAsksSomeToMove() throws Exception {
        final var settings = new DataplaneSettings("n1", 5000, 3, 1400, 8192, 256, 300, true, 1);
        final var full = new Dataplane(settings, view, registry, TestUsers.gatekeeper(security));
        final java.util.function.Supplier<EmbeddedChannel> connect = () -> {
            final var channel = new EmbeddedChannel();
            StreamPipeline.addProtocol(channel.pipeline()).addLast("session", new StreamLink(full, "tcp", channel));
            channels.add(channel);
            return channel;
        };
        final var first = connect.get();
        send(first, TestUsers.hello("alice"));
        assertInstanceOf(Message.Welcome.class, answered(first).get(0));
        // a second client while no other node is known: admitted, the soft limit is not a hard one
        final var second = connect.get();
        send(second, TestUsers.hello("bob"));
        assertInstanceOf(Message.Welcome.class, answered(second).get(0));

        full.nodesChanged(List.of(
            new NodeInfo("n1", List.of(new NodeInfo.Endpoint("tcp", "10.0.0.1", 4000)), null, null, 2, 50),
            new NodeInfo("n2", List.of(new NodeInfo.Endpoint("tcp", "10.0.0.2", 4000)), null, null, 0, 5)));
        assertInstanceOf(Message.Nodes.class, answered(first).get(0), "connected clients hear of the new node");
        received(second);

        final var third = connect.get();
        send(third, TestUsers.hello("carol"));
        final var refused = answered(third);
        assertInstanceOf(Message.Nodes.class, refused.get(0), "the node list first, so the client knows where n2 is");
        assertEquals(new Message.Error(0, Message.Error.MOVED, "n2"), refused.get(1));
        assertFalse(third.isActive());

        full.sweep(System.nanoTime());
        final var moved = new ArrayList<Object>(received(first));
        moved.addAll(received(second));
        assertEquals(List.of(new Message.Bye(Message.Bye.MOVE)), moved, "one of the two asked to move, once");
    }
}
