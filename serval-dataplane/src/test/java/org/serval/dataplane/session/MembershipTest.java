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
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.serval.api.AccessPolicy;
import org.serval.api.LocalSecurityView;
import org.serval.api.LocalVlanView;
import org.serval.api.VlanDirectory.Decision;
import org.serval.api.VlanInfo;
import org.serval.api.VlanRequests;
import org.serval.dataplane.protocol.LeakCheck;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.MessageCodec;
import org.serval.dataplane.protocol.StreamPipeline;
import org.serval.dataplane.protocol.Wire;
import org.serval.dataplane.resolution.Frames;

/**
 * The server's side of membership it changes (docs/protocol.md, "Membership the server changes") and of the
 * requests about VLANs and members ("VLANs a user creates, and who is in a VLAN"), on {@link EmbeddedChannel}
 * sessions sharing one dataplane and the real {@link LocalVlanView}.
 */
@ExtendWith(LeakCheck.class)
class MembershipTest {
    private final LocalVlanView view = new LocalVlanView();
    private final ViewRegistry registry = new ViewRegistry(view);
    private final LocalSecurityView security = TestUsers.view();
    private final Dataplane dataplane = new Dataplane(DataplaneSettings.defaults("n1"), view, registry,
        TestUsers.gatekeeper(security));
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    MembershipTest() {
        view.putVlan(new VlanInfo("red", 10, "", 256, false, null));
        view.putVlan(new VlanInfo("blue", 20, "", 256, false, null));
    }

    @AfterEach
    void closeChannels() {
        for (var channel : channels) {
            channel.finishAndReleaseAll();
        }
    }

    private static void send(final EmbeddedChannel channel, final Message message) {
        Wire.inject(channel, message);
    }

    private static List<Object> received(final EmbeddedChannel channel) {
        channel.runPendingTasks();
        final var out = new ArrayList<Object>();
        for (ByteBuf bytes = channel.readOutbound(); bytes != null; bytes = channel.readOutbound()) {
            try {
                final var message = MessageCodec.decode(bytes);
                if (message instanceof Message.Data data) {
                    out.add("Data ref=" + data.vlanRef());
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

    private static List<Object> answered(final EmbeddedChannel channel) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        var out = received(channel);
        while (out.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
            out = received(channel);
        }
        return out;
    }

    /**
     * Logs a client in and returns its channel with what the server said after WELCOME (NODES is empty here).
     */
    private EmbeddedChannel login(final String id, final boolean managed, final List<Object> said)
            throws InterruptedException {
        final var channel = new EmbeddedChannel();
        StreamPipeline.addProtocol(channel.pipeline()).addLast("session", new StreamLink(dataplane, "tcp", channel));
        channels.add(channel);
        send(channel, new Message.Hello(1, id, managed ? Message.Hello.MANAGED : 0, TestUsers.USER,
            Message.Hello.AUTH_PASSWORD, TestUsers.PASSWORD));
        final var answer = answered(channel);
        assertEquals(new Message.Welcome(1, "n1", 5000, 3, 1400), answer.get(0));
        said.addAll(answer.subList(1, answer.size()));
        return channel;
    }

    private EmbeddedChannel login(final String id, final boolean managed) throws InterruptedException {
        final var said = new ArrayList<Object>();
        final var channel = login(id, managed, said);
        assertEquals(List.of(), said);
        return channel;
    }

    private static int join(final EmbeddedChannel channel, final long request, final String vlan, final long mac) {
        send(channel, new Message.Join(request, mac, vlan));
        final var answer = received(channel);
        return assertInstanceOf(Message.Joined.class, answer.get(0), answer.toString()).vlanRef();
    }

    private static Message.Data broadcast(final int vlanRef, final long src) {
        return new Message.Data(vlanRef, Frames.plain(Frames.BROADCAST, src, 0x0806));
    }

    @Test
    void aManagedClientIsAssignedItsVlansAfterLoginAndWhenAnAdministratorAddsOne() throws Exception {
        view.putDecisions("red", Map.of("alice", Decision.MEMBER));
        view.putDecisions("blue", Map.of("bob", Decision.MEMBER));
        final var said = new ArrayList<Object>();
        final var alice = login("alice", true, said);
        assertEquals(List.of(new Message.Assign("red")), said, "only alice's own decision, after WELCOME");
        join(alice, 1, "red", 0x02AA00000001L);

        // join-vlan on some node: this node's listener shows the decision, the session is told
        view.putDecisions("blue", Map.of("bob", Decision.MEMBER, "alice", Decision.MEMBER));
        dataplane.decisionChanged("alice", "blue");
        assertEquals(List.of(new Message.Assign("blue")), received(alice));
        // a VLAN it is in is not assigned again
        dataplane.decisionChanged("alice", "red");
        assertEquals(List.of(), received(alice));
    }

    @Test
    void leaveVlanRemovesTheClientAndItsJoinIsRefusedUntilJoinVlan() throws Exception {
        final var alice = login("alice", true);
        final var bob = login("bob", true);
        final int ref = join(alice, 1, "red", 0x02AA00000001L);
        join(bob, 1, "red", 0x02BB00000001L);

        view.putDecisions("red", Map.of("alice", Decision.REMOVED));
        dataplane.decisionChanged("alice", "red");
        assertEquals(List.of(new Message.Removed(ref, Message.Removed.ADMIN, "red")), received(alice));
        assertFalse(view.isMember("alice", "red"));
        send(alice, broadcast(ref, 0x02AA00000001L));
        assertEquals(List.of(), received(bob), "the session no longer switches that ref");

        send(alice, new Message.Join(2, 0x02AA00000001L, "red"));
        assertEquals(List.of(new Message.Error(2, Message.Error.DENIED,
            "an administrator removed client alice from VLAN red")), received(alice));
        // a login does not undo it either
        alice.close();
        final var again = login("alice", true);
        send(again, new Message.Join(1, 0x02AA00000001L, "red"));
        assertEquals(Message.Error.DENIED, ((Message.Error) received(again).get(0)).code());

        view.putDecisions("red", Map.of("alice", Decision.MEMBER));
        dataplane.decisionChanged("alice", "red");
        assertEquals(List.of(new Message.Assign("red")), received(again));
        join(again, 2, "red", 0x02AA00000001L);
    }

    @Test
    void aClientWithoutTheManagedFlagIsToldOfARemovalByAnErrorAndAssignedNothing() throws Exception {
        view.putDecisions("blue", Map.of("old", Decision.MEMBER));
        final var old = login("old", false);
        final int ref = join(old, 1, "red", 0x02CC00000001L);
        dataplane.decisionChanged("old", "blue");
        assertEquals(List.of(), received(old), "no ASSIGN to a client that cannot follow");

        view.putDecisions("red", Map.of("old", Decision.REMOVED));
        dataplane.decisionChanged("old", "red");
        assertEquals(List.of(new Message.Error(0, Message.Error.DENIED,
            "an administrator removed client old from VLAN red")), received(old));
        assertFalse(view.isMember("old", "red"));
        send(old, broadcast(ref, 0x02CC00000001L));
        send(old, new Message.Keepalive(7));
        assertEquals(List.of(new Message.KeepaliveAck(7)), received(old), "the session goes on");
    }

    @Test
    void aDeletedVlanAndAccessControlEndMembershipsWithTheirReasons() throws Exception {
        final var alice = login("alice", true);
        final int red = join(alice, 1, "red", 0x02AA00000001L);
        final int blue = join(alice, 2, "blue", 0x02AA00000002L);
        dataplane.revoke("alice", "red", Message.Removed.DELETED);
        assertEquals(List.of(new Message.Removed(red, Message.Removed.DELETED, "red")), received(alice));

        security.setPolicy(new AccessPolicy(true, true, false, false, List.of()));
        assertEquals(1, dataplane.recheckMemberships(user -> true));
        assertEquals(List.of(new Message.Removed(blue, Message.Removed.DENIED, "blue")), received(alice));
    }

    @Test
    void disconnectClientSaysByeAdminBeforeClosing() throws Exception {
        final var alice = login("alice", true);
        assertTrue(dataplane.disconnect("alice"));
        assertEquals(List.of(new Message.Bye(Message.Bye.ADMIN)), received(alice));
        assertFalse(alice.isActive());
    }

    /**
     * Answers on its own thread, later, as the controller's datastore does.
     */
    private static final class LaterRequests implements VlanRequests {
        final List<String> asked = new ArrayList<>();
        final List<CompletableFuture<Answer>> pending = new ArrayList<>();

        @Override
        public synchronized CompletionStage<Answer> create(final String user, final String name,
                final boolean open) {
            asked.add("create " + user + " " + name + " " + open);
            final var answer = new CompletableFuture<Answer>();
            pending.add(answer);
            return answer;
        }

        @Override
        public synchronized CompletionStage<Answer> delete(final String user, final String name) {
            asked.add("delete " + user + " " + name);
            final var answer = new CompletableFuture<Answer>();
            pending.add(answer);
            return answer;
        }

        void complete(final int index, final Answer answer) throws InterruptedException {
            final var thread = new Thread(() -> pending.get(index).complete(answer));
            thread.start();
            thread.join();
        }
    }

    @Test
    void createAndDeleteGoToTheControllerOnBehalfOfTheUserAndAreAnsweredOnTheSessionsLoop() throws Exception {
        final var requests = new LaterRequests();
        dataplane.attachVlanRequests(requests);
        final var alice = login("alice", true);
        send(alice, new Message.CreateVlan(5, true, "green"));
        send(alice, new Message.DeleteVlan(6, "blue"));
        assertEquals(List.of(), received(alice), "nothing is answered before the controller decides");
        assertEquals(List.of("create tester green true", "delete tester blue"), requests.asked);

        requests.complete(0, VlanRequests.Answer.DONE);
        requests.complete(1, new VlanRequests.Answer(VlanRequests.Outcome.DENIED,
            "user tester may not delete VLAN blue (delete-default)"));
        assertEquals(List.of(new Message.Done(5), new Message.Error(6, Message.Error.DENIED,
            "user tester may not delete VLAN blue (delete-default)")), received(alice));

        // a client piling up requests the controller has not answered is refused beyond the bound
        for (int i = 0; i < 4; i++) {
            send(alice, new Message.CreateVlan(10 + i, false, "v" + i));
        }
        send(alice, new Message.CreateVlan(20, false, "v9"));
        assertEquals(List.of(new Message.Error(20, Message.Error.LIMIT,
            "too many VLAN requests at once; wait for the answers")), received(alice));
        requests.complete(2, new VlanRequests.Answer(VlanRequests.Outcome.EXISTS, "VLAN v0 already exists"));
        assertEquals(List.of(new Message.Error(10, Message.Error.EXISTS, "VLAN v0 already exists")),
            received(alice));
    }

    @Test
    void membersArePagedByClientIdWithTheirAddressesAndEveryPageFitsOneMessage() throws Exception {
        final var alice = login("alice", true);
        final long aliceMac = 0x02AA00000001L;
        final int ref = join(alice, 1, "red", aliceMac);
        // alice announces 10.0.0.1 (ARP): the switch learns it is hers
        send(alice, new Message.Data(ref, Frames.arpRequest(aliceMac, 0x0A000001, 0x0A000002)));
        received(alice);
        // the worst case: members on other nodes with the longest ids, users and node ids
        final var expected = new ArrayList<String>();
        for (int i = 0; i < 40; i++) {
            final var id = String.format("m%03d", i) + "x".repeat(124);
            view.putClient(id, "n".repeat(64), "u".repeat(64), true, Map.of("red", 0x020000000100L + i));
            expected.add(id);
        }
        expected.add("alice");
        expected.sort(null);

        final var listed = new ArrayList<String>();
        String after = "";
        int pages = 0;
        while (true) {
            send(alice, new Message.ListMembers(100 + pages, "red", after));
            final var answer = received(alice);
            final var page = assertInstanceOf(Message.Members.class, answer.get(0), answer.toString());
            assertTrue(MessageCodec.encodedLength(page) > 0 && MessageCodec.encodedLength(page) <= 2048);
            for (var member : page.members()) {
                listed.add(member.clientId());
                if (member.clientId().equals("alice")) {
                    assertEquals(aliceMac, member.mac());
                    assertEquals("n1", member.nodeId());
                    assertEquals(TestUsers.USER, member.user());
                    assertEquals("10.0.0.1", member.addresses().get(0).getHostAddress());
                } else {
                    assertEquals("u".repeat(64), member.user());
                }
            }
            pages++;
            if (!page.more()) {
                break;
            }
            after = page.members().get(page.members().size() - 1).clientId();
        }
        assertEquals(expected, listed, "every member once, in client id order");
        assertTrue(pages >= 5, "the worst case needs several pages: " + pages);
    }

    @Test
    void aUserSeesOnlyTheVlansItMayJoinOrIsIn() throws Exception {
        // join-default deny: only open VLANs, and those the user's clients are in
        security.setPolicy(AccessPolicy.DEFAULT);
        view.putVlan(new VlanInfo("lobby", 0, "", 256, true, null));
        final var alice = login("alice", true);
        send(alice, new Message.ListVlans(1, "", ""));
        assertEquals(List.of(new Message.Vlans(1, List.of(new Message.VlanEntry("lobby", 0, true)), true, false)),
            received(alice));
        // another client of the same user is in red (access control changed since, say): red shows
        view.putClient("alice-2", "n2", TestUsers.USER, true, Map.of("red", 0x02AA00000009L));
        send(alice, new Message.ListVlans(2, "", ""));
        assertEquals(List.of(new Message.Vlans(2, List.of(new Message.VlanEntry("lobby", 0, true),
            new Message.VlanEntry("red", 1, false)), true, false)), received(alice));

        // who is in blue is as secret as whether blue exists
        send(alice, new Message.ListMembers(3, "blue", ""));
        send(alice, new Message.ListMembers(4, "no-such", ""));
        final var answers = received(alice);
        assertEquals(new Message.Error(3, Message.Error.UNKNOWN_VLAN, "VLAN blue does not exist"), answers.get(0));
        assertEquals(new Message.Error(4, Message.Error.UNKNOWN_VLAN, "VLAN no-such does not exist"),
            answers.get(1));
        send(alice, new Message.ListMembers(5, "red", ""));
        assertInstanceOf(Message.Members.class, received(alice).get(0));
    }

    @Test
    void hiddenVlansDoNotLeaveAnEmptyPageWhileVisibleOnesFollow() throws Exception {
        security.setPolicy(AccessPolicy.DEFAULT);
        // far more hidden VLANs than one scan's lookahead, then one open one
        for (int i = 0; i < 1000; i++) {
            view.putVlan(new VlanInfo(String.format("h%04d", i), 0, "", 256, false, null));
        }
        view.putVlan(new VlanInfo("zz-open", 0, "", 256, true, null));
        final var alice = login("alice", true);
        send(alice, new Message.ListVlans(1, "", ""));
        assertEquals(List.of(new Message.Vlans(1, List.of(new Message.VlanEntry("zz-open", 0, true)), true,
            false)), received(alice));
    }
}
