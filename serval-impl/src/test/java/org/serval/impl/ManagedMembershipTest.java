/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.mockito.Mockito.mock;
import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.CONFIGURATION;
import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.OPERATIONAL;
import static org.serval.impl.RawSession.read;
import static org.serval.impl.RawSession.write;

import com.google.common.util.concurrent.ListenableFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.opendaylight.mdsal.binding.api.NotificationPublishService;
import org.opendaylight.mdsal.binding.api.RpcProviderService;
import org.opendaylight.mdsal.binding.dom.adapter.test.AbstractConcurrentDataBrokerTest;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.AccessControlBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.AclAction;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.ClientId;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.CreateVlanInputBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.DeleteVlanInputBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.DisconnectClientInputBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.JoinVlanInputBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.LeaveVlanInputBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.MembershipDecision;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.NodeId;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.SetPasswordInputBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.clients.ClientBuilder;
import org.opendaylight.yangtools.concepts.Registration;
import org.opendaylight.yangtools.yang.common.ErrorTag;
import org.opendaylight.yangtools.yang.common.RpcResult;
import org.opendaylight.yangtools.yang.common.Uint64;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.session.DataplaneSettings;

/**
 * Membership the server changes, through the whole node: the RPCs write the decision, this node's listener takes
 * it to a real client's session on the node's TCP listener; and the client's own CREATE_VLAN and DELETE_VLAN,
 * decided as the RPCs decide for a user.
 */
public class ManagedMembershipTest extends AbstractConcurrentDataBrokerTest {
    private static final Registration NO_REGISTRATION = () -> { };

    private ServalController controller;
    private VlanRpcs rpcs;

    public ManagedMembershipTest() {
        super(true);
    }

    @Before
    public void start() throws Exception {
        final var rpcProvider = mock(RpcProviderService.class,
            invocation -> invocation.getMethod().getReturnType() == Registration.class ? NO_REGISTRATION : null);
        controller = new ServalController(getDataBroker(), getDomBroker(), rpcProvider,
            mock(NotificationPublishService.class), DataplaneSettings.defaults("node-1"), 1000,
            new ServalController.Sockets(new InetSocketAddress("127.0.0.1", 0), null, null, "127.0.0.1", 1), null,
            1000);
        rpcs = controller.rpcs();
        assertTrue(controller.userRpcs().setPassword(new SetPasswordInputBuilder().setUser("alice")
            .setPassword("pw").build()).get(10, TimeUnit.SECONDS).isSuccessful());
        eventually("alice is known", () -> controller.security().user("alice").isPresent());
        assertTrue(await(rpcs.createVlan(new CreateVlanInputBuilder().setName("red").setOpen(true).build()))
            .isSuccessful());
    }

    @After
    public void stop() {
        controller.close();
    }

    private static <T> RpcResult<T> await(final ListenableFuture<RpcResult<T>> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }

    private static void assertError(final ErrorTag expected, final RpcResult<?> result) {
        assertFalse("expected " + expected.elementBody() + " but the call succeeded", result.isSuccessful());
        assertEquals(expected, result.getErrors().iterator().next().getTag());
    }

    private static void eventually(final String what, final BooleanSupplier condition) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    private RpcResult<?> joinVlan(final String client, final String vlan) throws Exception {
        return await(rpcs.joinVlan(new JoinVlanInputBuilder().setClientId(client).setVlan(vlan).build()));
    }

    private RpcResult<?> leaveVlan(final String client, final String vlan) throws Exception {
        return await(rpcs.leaveVlan(new LeaveVlanInputBuilder().setClientId(client).setVlan(vlan).build()));
    }

    private MembershipDecision stored(final String vlan, final String client) {
        try (var tx = getDataBroker().newReadOnlyTransaction()) {
            return tx.read(CONFIGURATION, ServalPaths.decision(vlan, client)).get(10, TimeUnit.SECONDS)
                .map(org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlans.vlan.MembershipDecision
                    ::getDecision).orElse(null);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Whether a client's registry entry has reached the datastore (the node writes it in the background), which
     * disconnect-client reads.
     */
    private boolean registered(final String clientId) {
        try (var tx = getDataBroker().newReadOnlyTransaction()) {
            return tx.exists(OPERATIONAL, ServalPaths.client(clientId)).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    private Socket login(final String clientId, final boolean managed) throws Exception {
        return login(controller, clientId, managed);
    }

    private static Socket login(final ServalController node, final String clientId, final boolean managed)
            throws Exception {
        final var socket = new Socket();
        socket.connect(node.tcpAddress(), 5000);
        socket.setSoTimeout(5000);
        write(socket, new Message.Hello(1, clientId, managed ? Message.Hello.MANAGED : 0, "alice",
            Message.Hello.AUTH_PASSWORD, "pw"));
        final var welcome = read(socket);
        assertTrue(welcome.toString(), welcome instanceof Message.Welcome);
        eventually(clientId + " is registered", () -> node.directory().isKnownClient(clientId));
        return socket;
    }

    /**
     * Asserts that nothing else came before the answer to a keepalive.
     */
    private static void nothingElse(final Socket socket, final int seq) throws IOException {
        write(socket, new Message.Keepalive(seq));
        assertEquals(new Message.KeepaliveAck(seq), read(socket));
    }

    @Test
    public void joinVlanReachesTheSessionAndEveryLaterLogin() throws Exception {
        try (var laptop = login("laptop", true)) {
            assertTrue(joinVlan("laptop", "red").isSuccessful());
            assertEquals(MembershipDecision.Member, stored("red", "laptop"));
            assertEquals(new Message.Assign("red"), read(laptop));
            write(laptop, new Message.Join(1, 0x020000000001L, "red"));
            assertTrue(read(laptop) instanceof Message.Joined);
        }
        eventually("the laptop left", () -> !controller.directory().isKnownClient("laptop"));
        try (var laptop = login("laptop", true)) {
            assertEquals("a reconnection keeps the decision", new Message.Assign("red"), read(laptop));
        }
    }

    @Test
    public void leaveVlanRemovesTheClientForGood() throws Exception {
        try (var laptop = login("laptop", true)) {
            write(laptop, new Message.Join(1, 0x020000000001L, "red"));
            final var joined = (Message.Joined) read(laptop);
            assertTrue(leaveVlan("laptop", "red").isSuccessful());
            assertEquals(new Message.Removed(joined.vlanRef(), Message.Removed.ADMIN, "red"), read(laptop));
            eventually("the membership ended", () -> !controller.directory().isMember("laptop", "red"));
            write(laptop, new Message.Join(2, 0x020000000001L, "red"));
            assertEquals(new Message.Error(2, Message.Error.DENIED,
                "an administrator removed client laptop from VLAN red"), read(laptop));
        }
        eventually("the laptop left", () -> !controller.directory().isKnownClient("laptop"));
        try (var laptop = login("laptop", true)) {
            nothingElse(laptop, 1);
            write(laptop, new Message.Join(2, 0x020000000001L, "red"));
            assertEquals(Message.Error.DENIED, ((Message.Error) read(laptop)).code());
            assertTrue(joinVlan("laptop", "red").isSuccessful());
            assertEquals(new Message.Assign("red"), read(laptop));
        }
    }

    /**
     * A client back on the same node before its earlier session's entry is gone: that entry's removal, committed
     * late, is no disconnect-client of the session of now (which would tell the client BYE 3 and keep it off).
     */
    @Test
    public void aLateRemovalOfAnEarlierSessionsEntryDisconnectsNobody() throws Exception {
        try (var laptop = login("laptop", true)) {
            eventually("laptop's entry is written", () -> registered("laptop"));
            // the entry as an earlier session here wrote it (an older generation), and its removal
            final var put = getDataBroker().newWriteOnlyTransaction();
            put.put(OPERATIONAL, ServalPaths.client("laptop"), new ClientBuilder().setId(new ClientId("laptop"))
                .setNode(new NodeId("node-1")).setGeneration(Uint64.ONE).build());
            put.commit().get(10, TimeUnit.SECONDS);
            final var delete = getDataBroker().newWriteOnlyTransaction();
            delete.delete(OPERATIONAL, ServalPaths.client("laptop"));
            delete.commit().get(10, TimeUnit.SECONDS);
            nothingElse(laptop, 7);
        }
    }

    /**
     * Two nodes on one datastore, as the members of a cluster share theirs: an RPC answered by one reaches a client
     * connected to the other.
     */
    @Test
    public void aDecisionMadeOnOneNodeReachesTheClientOnAnother() throws Exception {
        final var rpcProvider = mock(RpcProviderService.class,
            invocation -> invocation.getMethod().getReturnType() == Registration.class ? NO_REGISTRATION : null);
        try (var other = new ServalController(getDataBroker(), getDomBroker(), rpcProvider,
                mock(NotificationPublishService.class), DataplaneSettings.defaults("node-2"), 1000,
                new ServalController.Sockets(new InetSocketAddress("127.0.0.1", 0), null, null, "127.0.0.1", 1), null,
                1000)) {
            eventually("node-2 knows alice", () -> other.security().user("alice").isPresent());
            eventually("node-2 knows red", () -> other.directory().vlan("red").isPresent());
            try (var phone = login(other, "phone", true)) {
                eventually("node-1 sees the phone, managed", () -> controller.directory().isManaged("phone"));
                assertTrue(joinVlan("phone", "red").isSuccessful());
                assertEquals(new Message.Assign("red"), read(phone));
                write(phone, new Message.Join(1, 0x020000000002L, "red"));
                final var joined = (Message.Joined) read(phone);
                assertTrue(leaveVlan("phone", "red").isSuccessful());
                assertEquals(new Message.Removed(joined.vlanRef(), Message.Removed.ADMIN, "red"), read(phone));
                eventually("the phone's entry is stored", () -> registered("phone"));
                assertTrue(await(rpcs.disconnectClient(new DisconnectClientInputBuilder().setClientId("phone")
                    .build())).isSuccessful());
                assertEquals(new Message.Bye(Message.Bye.ADMIN), read(phone));
            }
        }
    }

    @Test
    public void aDeletedVlanTakesItsDecisionsAndMembersWithIt() throws Exception {
        try (var laptop = login("laptop", true)) {
            assertTrue(joinVlan("laptop", "red").isSuccessful());
            assertEquals(new Message.Assign("red"), read(laptop));
            write(laptop, new Message.Join(1, 0x020000000001L, "red"));
            final var joined = (Message.Joined) read(laptop);
            assertTrue(await(rpcs.deleteVlan(new DeleteVlanInputBuilder().setName("red").build())).isSuccessful());
            assertEquals(new Message.Removed(joined.vlanRef(), Message.Removed.DELETED, "red"), read(laptop));
            assertEquals(null, stored("red", "laptop"));
        }
    }

    @Test
    public void aClientThatCannotFollowIsRefusedJoinVlanAndToldOfLeaveVlan() throws Exception {
        try (var old = login("old", false)) {
            final var refused = joinVlan("old", "red");
            assertError(ErrorTag.OPERATION_NOT_SUPPORTED, refused);
            assertTrue(refused.getErrors().iterator().next().getMessage().contains("cannot follow"));
            write(old, new Message.Join(1, 0x020000000001L, "red"));
            assertTrue(read(old) instanceof Message.Joined);
            assertTrue(leaveVlan("old", "red").isSuccessful());
            assertEquals(new Message.Error(0, Message.Error.DENIED,
                "an administrator removed client old from VLAN red"), read(old));
            eventually("the membership ended", () -> !controller.directory().isMember("old", "red"));
        }
    }

    @Test
    public void joinVlanOfAClientNotConnectedTakesEffectAtItsNextLogin() throws Exception {
        assertTrue(joinVlan("later", "red").isSuccessful());
        try (var later = login("later", true)) {
            assertEquals(new Message.Assign("red"), read(later));
        }
    }

    @Test
    public void disconnectClientSaysByeAdmin() throws Exception {
        try (var laptop = login("laptop", true)) {
            eventually("the laptop's entry is stored", () -> registered("laptop"));
            assertTrue(await(rpcs.disconnectClient(new DisconnectClientInputBuilder().setClientId("laptop")
                .build())).isSuccessful());
            assertEquals(new Message.Bye(Message.Bye.ADMIN), read(laptop));
        }
    }

    @Test
    public void decisionsPerClientAreBounded() throws Exception {
        for (int i = 1; i < Bounds.DECISIONS_PER_CLIENT; i++) {
            assertTrue(await(rpcs.createVlan(new CreateVlanInputBuilder().setName("v" + i).build())).isSuccessful());
        }
        assertTrue(await(rpcs.createVlan(new CreateVlanInputBuilder().setName("one-more").build())).isSuccessful());
        assertTrue(joinVlan("many", "red").isSuccessful());
        for (int i = 1; i < Bounds.DECISIONS_PER_CLIENT; i++) {
            assertTrue(leaveVlan("many", "v" + i).isSuccessful());
        }
        eventually("the view has them all", () -> controller.directory().decisionsOf("many").size()
            == Bounds.DECISIONS_PER_CLIENT);
        assertError(ErrorTag.RESOURCE_DENIED, joinVlan("many", "one-more"));
        assertError(ErrorTag.RESOURCE_DENIED, leaveVlan("many", "one-more"));
        assertTrue("a decision it has may change", joinVlan("many", "v1").isSuccessful());
        assertError(ErrorTag.INVALID_VALUE, joinVlan("bad id!", "red"));
    }

    @Test
    public void aClientCreatesAndDeletesVlansAsAccessControlLetsItsUser() throws Exception {
        try (var laptop = login("laptop", true)) {
            write(laptop, new Message.CreateVlan(1, false, "mine"));
            assertEquals(new Message.Done(1), read(laptop));
            assertEquals("alice", controller.directory().vlan("mine").orElseThrow().owner());
            write(laptop, new Message.CreateVlan(2, false, "mine"));
            assertEquals(Message.Error.EXISTS, ((Message.Error) read(laptop)).code());
            write(laptop, new Message.CreateVlan(3, false, "bad name"));
            assertEquals(Message.Error.MALFORMED, ((Message.Error) read(laptop)).code());
            // red is nobody's: delete-default deny
            write(laptop, new Message.DeleteVlan(4, "red"));
            assertEquals(Message.Error.DENIED, ((Message.Error) read(laptop)).code());
            write(laptop, new Message.DeleteVlan(5, "nope"));
            assertEquals(Message.Error.UNKNOWN_VLAN, ((Message.Error) read(laptop)).code());

            final var tx = getDataBroker().newWriteOnlyTransaction();
            tx.put(CONFIGURATION, ServalPaths.ACCESS_CONTROL, new AccessControlBuilder()
                .setCreateDefault(AclAction.Deny).build());
            tx.commit().get(10, TimeUnit.SECONDS);
            eventually("the policy is known", () -> !controller.security().policy().createDefault());
            write(laptop, new Message.CreateVlan(6, true, "another"));
            final var refused = (Message.Error) read(laptop);
            assertEquals(Message.Error.DENIED, refused.code());
            assertTrue(refused.message(), refused.message().contains("may not create"));
            assertTrue(controller.directory().vlan("another").isEmpty());

            write(laptop, new Message.DeleteVlan(7, "mine"));
            assertEquals("its owner may", new Message.Done(7), read(laptop));
            assertTrue(controller.directory().vlan("mine").isEmpty());
        }
    }
}
