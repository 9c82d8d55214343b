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
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;
import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.CONFIGURATION;
import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.OPERATIONAL;

import com.google.common.util.concurrent.ListenableFuture;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.opendaylight.mdsal.binding.api.NotificationPublishService;
import org.opendaylight.mdsal.binding.api.RpcProviderService;
import org.opendaylight.mdsal.binding.dom.adapter.test.AbstractConcurrentDataBrokerTest;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.AccessControlBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.AclAction;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.ClientDisconnected;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.ClientId;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.CreateVlanInputBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.DeleteVlanInputBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.DisconnectClientInputBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.GetVlansInputBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.JoinVlanInputBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.LeaveVlanInputBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.NodeId;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.SetPasswordInputBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.UserName;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.VlanName;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.clients.ClientBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.clients.client.MembershipBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.users.User;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.users.UserBuilder;
import org.opendaylight.yangtools.concepts.Registration;
import org.opendaylight.yangtools.yang.common.ErrorTag;
import org.opendaylight.yangtools.yang.common.RpcResult;
import org.opendaylight.yangtools.yang.common.Uint16;
import org.opendaylight.yangtools.yang.common.Uint32;
import org.serval.api.PasswordHash;
import org.serval.dataplane.session.DataplaneSettings;

/**
 * The controller on a real in-memory MD-SAL data broker: RPC outcomes, error tags and the listener-fed view.
 */
public class ServalControllerTest extends AbstractConcurrentDataBrokerTest {
    private static final String NODE = "node-1";
    private static final Registration NO_REGISTRATION = () -> { };

    private final NotificationPublishService notifications = mock(NotificationPublishService.class);
    private ServalController controller;
    private VlanRpcs rpcs;

    public ServalControllerTest() {
        super(true);
    }

    @Before
    public void start() throws InterruptedException {
        // Registration with the RPC router is not under test: the RPCs are called directly below.
        final var rpcProvider = mock(RpcProviderService.class,
            invocation -> invocation.getMethod().getReturnType() == Registration.class ? NO_REGISTRATION : null);
        controller = new ServalController(getDataBroker(), getDomBroker(), rpcProvider, notifications,
            DataplaneSettings.defaults(NODE), 1000, ServalController.Sockets.NONE, null, 1000);
        rpcs = controller.rpcs();
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

    private RpcResult<?> create(final String name, final Integer vid, final Integer max) throws Exception {
        return await(rpcs.createVlan(new CreateVlanInputBuilder()
            .setName(name)
            .setVid(vid == null ? null : vid.longValue())
            .setMaxMembers(max == null ? null : max.longValue())
            .build()));
    }

    private void connect(final String clientId) throws Exception {
        connect(clientId, null);
    }

    private void connect(final String clientId, final String user) throws Exception {
        final var tx = getDataBroker().newWriteOnlyTransaction();
        // a client on another node that follows the server's changes
        tx.put(OPERATIONAL, ServalPaths.client(clientId), new ClientBuilder().setId(new ClientId(clientId))
            .setNode(new NodeId("node-2")).setUser(user == null ? null : new UserName(user)).setManaged(true)
            .build());
        tx.commit().get(10, TimeUnit.SECONDS);
        eventually(clientId + " is known", () -> controller.directory().isKnownClient(clientId));
    }

    /**
     * A membership as the client's node writes it when the client joins.
     */
    private void member(final String clientId, final String vlan) throws Exception {
        final var tx = getDataBroker().newWriteOnlyTransaction();
        tx.put(OPERATIONAL, ServalPaths.membership(clientId, vlan), new MembershipBuilder()
            .setVlan(new VlanName(vlan)).build());
        tx.commit().get(10, TimeUnit.SECONDS);
    }

    private RpcResult<?> join(final String clientId, final String vlan) throws Exception {
        return await(rpcs.joinVlan(new JoinVlanInputBuilder().setClientId(clientId)
            .setVlan(vlan).build()));
    }

    @Test
    public void createsListsAndDeletesAVlan() throws Exception {
        assertTrue(create("red", 10, null).isSuccessful());
        try (var tx = getDataBroker().newReadOnlyTransaction()) {
            final var stored = tx.read(CONFIGURATION, ServalPaths.vlan("red")).get().orElseThrow();
            assertEquals(Uint16.valueOf(10), stored.getVid().getValue());
        }
        assertTrue("an RPC answers once this node's view shows its change",
            controller.directory().vlan("red").isPresent());

        final var listed = await(rpcs.getVlans(new GetVlansInputBuilder().build())).getResult();
        assertEquals(List.of("red"), listed.nonnullVlan().values().stream().map(v -> v.getName().getValue()).toList());

        assertTrue(await(rpcs.deleteVlan(new DeleteVlanInputBuilder().setName("red").build()))
            .isSuccessful());
        assertTrue(controller.directory().vlan("red").isEmpty());
    }

    @Test
    public void duplicateNameOrVidIsDataExists() throws Exception {
        assertTrue(create("red", 10, null).isSuccessful());
        assertError(ErrorTag.DATA_EXISTS, create("red", null, null));
        eventually("red is in the view", () -> controller.directory().vlanByVid(10).isPresent());
        assertError(ErrorTag.DATA_EXISTS, create("blue", 10, null));
        assertTrue(create("blue", 11, null).isSuccessful());
    }

    @Test
    public void badArgumentsAreInvalidValue() throws Exception {
        assertError(ErrorTag.INVALID_VALUE, create("red", 4095, null));
        assertError(ErrorTag.INVALID_VALUE, create("red", 0, null));
        assertError(ErrorTag.INVALID_VALUE, create("bad name!", null, null));
        assertError(ErrorTag.INVALID_VALUE, create("red", null, 0));
        assertError(ErrorTag.INVALID_VALUE, join("a b", "red"));
        try (var tx = getDataBroker().newReadOnlyTransaction()) {
            assertFalse("nothing was written", tx.exists(CONFIGURATION, ServalPaths.vlan("red")).get());
        }
    }

    @Test
    public void unknownVlanOrClientIsDataMissing() throws Exception {
        assertError(ErrorTag.DATA_MISSING,
            await(rpcs.deleteVlan(new DeleteVlanInputBuilder().setName("nope").build())));
        assertTrue(create("red", null, null).isSuccessful());
        eventually("red is in the view", () -> controller.directory().vlan("red").isPresent());
        connect("c1");
        assertError(ErrorTag.DATA_MISSING, join("c1", "nope"));
        assertError(ErrorTag.DATA_MISSING, await(rpcs.leaveVlan(new LeaveVlanInputBuilder()
            .setClientId("c1").setVlan("nope").build())));
        assertError(ErrorTag.DATA_MISSING, await(rpcs.disconnectClient(new DisconnectClientInputBuilder()
            .setClientId("ghost").build())));
    }

    @Test
    public void joiningAFullVlanIsResourceDenied() throws Exception {
        assertTrue(create("duo", null, 2).isSuccessful());
        eventually("duo is in the view", () -> controller.directory().vlan("duo").isPresent());
        for (var client : List.of("c1", "c2", "c3")) {
            connect(client);
        }
        member("c1", "duo");
        member("c2", "duo");
        eventually("duo has two members", () -> controller.directory().memberCount("duo") == 2);
        assertError(ErrorTag.RESOURCE_DENIED, join("c3", "duo"));
        assertTrue("joining twice is harmless", join("c1", "duo").isSuccessful());

        final var listed = await(rpcs.getVlans(new GetVlansInputBuilder().setNamePrefix("du").build())).getResult();
        assertEquals(Uint32.valueOf(2), listed.nonnullVlan().values().iterator().next().getMemberCount());
    }

    @Test
    public void deletingAVlanEndsItsMemberships() throws Exception {
        assertTrue(create("red", null, null).isSuccessful());
        assertTrue(create("blue", null, null).isSuccessful());
        eventually("VLANs are in the view", () -> controller.directory().vlanCount() == 2);
        connect("c1");
        // a client this node registered, without a session now (its record being written again, say)
        final var own = getDataBroker().newWriteOnlyTransaction();
        own.merge(OPERATIONAL, ServalPaths.client("c1"), new ClientBuilder().setId(new ClientId("c1"))
            .setNode(new NodeId(NODE)).build());
        own.commit().get(10, TimeUnit.SECONDS);
        member("c1", "red");
        member("c1", "blue");
        eventually("c1 is in both", () -> controller.directory().vlansOf("c1").size() == 2);

        // Directly in the datastore, as a RESTCONF DELETE would, not through the RPC.
        final var tx = getDataBroker().newWriteOnlyTransaction();
        tx.delete(CONFIGURATION, ServalPaths.vlan("red"));
        tx.commit().get(10, TimeUnit.SECONDS);

        eventually("the red membership is gone from the datastore", () -> {
            try (var read = getDataBroker().newReadOnlyTransaction()) {
                return !read.exists(OPERATIONAL, ServalPaths.membership("c1", "red")).get();
            } catch (InterruptedException | ExecutionException e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals(Set.of("blue"), controller.directory().vlansOf("c1"));
    }

    @Test
    public void disconnectRemovesTheClientAndNotifies() throws Exception {
        connect("c1");
        assertTrue(await(rpcs.disconnectClient(new DisconnectClientInputBuilder()
            .setClientId("c1").build())).isSuccessful());
        eventually("c1 left the view", () -> !controller.directory().isKnownClient("c1"));
        verify(notifications, timeout(5000)).offerNotification(any(ClientDisconnected.class));
    }

    private RpcResult<?> setPassword(final String user, final String password) throws Exception {
        return await(controller.userRpcs().setPassword(new SetPasswordInputBuilder().setUser(user)
            .setPassword(password).build()));
    }

    private RpcResult<?> createFor(final String name, final String owner, final boolean open) throws Exception {
        return await(rpcs.createVlan(new CreateVlanInputBuilder().setName(name).setOwner(owner).setOpen(open)
            .build()));
    }

    private void write(final org.opendaylight.yangtools.binding.DataObjectIdentifier<User> path, final User user)
            throws Exception {
        final var tx = getDataBroker().newWriteOnlyTransaction();
        tx.merge(CONFIGURATION, path, user);
        tx.commit().get(10, TimeUnit.SECONDS);
    }

    @Test
    public void setPasswordStoresOnlyASlowHash() throws Exception {
        assertTrue(setPassword("alice", "s3cret").isSuccessful());
        try (var tx = getDataBroker().newReadOnlyTransaction()) {
            final var hash = tx.read(CONFIGURATION, ServalPaths.user("alice")).get().orElseThrow().getPasswordHash();
            assertTrue(hash, hash.startsWith("$pbkdf2-sha256$1000$"));
            assertFalse(hash.contains("s3cret"));
            assertTrue(PasswordHash.verify("s3cret".toCharArray(), hash));
        }
        assertError(ErrorTag.INVALID_VALUE, setPassword("bad name", "x"));
        assertError(ErrorTag.INVALID_VALUE, setPassword("bob", ""));
    }

    @Test
    public void accessControlGovernsTheRpcsOnBehalfOfUsers() throws Exception {
        assertTrue(setPassword("alice", "pw").isSuccessful());
        write(ServalPaths.user("bob"), new UserBuilder().setName(new UserName("bob")).setMaxVlans(Uint16.ONE)
            .build());
        eventually("bob is known", () -> controller.security().user("bob").isPresent());

        assertTrue(create("red", null, null).isSuccessful());
        assertTrue(createFor("lobby", null, true).isSuccessful());
        connect("c1", "alice");
        assertError(ErrorTag.ACCESS_DENIED, join("c1", "red"));
        assertTrue(join("c1", "lobby").isSuccessful());

        assertTrue(createFor("bobs", "bob", false).isSuccessful());
        assertEquals("bob", controller.directory().vlan("bobs").orElseThrow().owner());
        assertError(ErrorTag.RESOURCE_DENIED, createFor("bobs2", "bob", false));
        assertError(ErrorTag.ACCESS_DENIED, createFor("ghosts", "ghost", false));
        assertError(ErrorTag.ACCESS_DENIED, await(rpcs.deleteVlan(new DeleteVlanInputBuilder().setName("bobs")
            .setUser("alice").build())));
        assertTrue(await(rpcs.deleteVlan(new DeleteVlanInputBuilder().setName("bobs").setUser("bob").build()))
            .isSuccessful());

        final var tx = getDataBroker().newWriteOnlyTransaction();
        tx.put(CONFIGURATION, ServalPaths.ACCESS_CONTROL, new AccessControlBuilder()
            .setCreateDefault(AclAction.Deny).build());
        tx.commit().get(10, TimeUnit.SECONDS);
        eventually("the policy is known", () -> !controller.security().policy().createDefault());
        assertError(ErrorTag.ACCESS_DENIED, createFor("mine", "alice", false));
    }
}
