/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.mockito.Mockito.mock;
import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.CONFIGURATION;
import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.OPERATIONAL;
import static org.serval.impl.RawSession.read;
import static org.serval.impl.RawSession.write;

import java.net.InetSocketAddress;
import java.net.Socket;
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
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.CreateVlanInputBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.SetPasswordInputBuilder;
import org.opendaylight.yangtools.concepts.Registration;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.session.DataplaneSettings;

/**
 * Revocation through the whole node: a change written to the datastore reaches this node's listener, which ends
 * the live sessions and memberships it revokes, with a real client on the node's TCP listener.
 */
public class RevocationTest extends AbstractConcurrentDataBrokerTest {
    private static final Registration NO_REGISTRATION = () -> { };

    private ServalController controller;

    public RevocationTest() {
        super(true);
    }

    @Before
    public void start() throws InterruptedException {
        final var rpcProvider = mock(RpcProviderService.class,
            invocation -> invocation.getMethod().getReturnType() == Registration.class ? NO_REGISTRATION : null);
        controller = new ServalController(getDataBroker(), getDomBroker(), rpcProvider,
            mock(NotificationPublishService.class), DataplaneSettings.defaults("node-1"), 1000,
            new ServalController.Sockets(new InetSocketAddress("127.0.0.1", 0), null, null, "127.0.0.1", 1), null,
            1000);
    }

    @After
    public void stop() {
        controller.close();
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

    private void setPassword(final String user, final String password) throws Exception {
        assertTrue(controller.userRpcs().setPassword(new SetPasswordInputBuilder().setUser(user)
            .setPassword(password).build()).get(10, TimeUnit.SECONDS).isSuccessful());
    }

    private Socket login(final String clientId, final String user, final String password) throws Exception {
        final var socket = new Socket();
        socket.connect(controller.tcpAddress(), 5000);
        socket.setSoTimeout(5000);
        write(socket, new Message.Hello(1, clientId, 0, user, Message.Hello.AUTH_PASSWORD, password));
        final var welcome = read(socket);
        assertTrue(welcome.toString(), welcome instanceof Message.Welcome);
        return socket;
    }

    private boolean storedMember(final String clientId, final String vlan) {
        try (var tx = getDataBroker().newReadOnlyTransaction()) {
            return tx.exists(OPERATIONAL, ServalPaths.membership(clientId, vlan)).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    public void aPasswordSetAgainEndsTheSessionsThatLoggedInWithTheOldOne() throws Exception {
        setPassword("alice", "old");
        setPassword("bob", "bobs");
        eventually("both users are known", () -> controller.security().user("bob").isPresent());
        try (var alice = login("alice-laptop", "alice", "old"); var bob = login("bob-laptop", "bob", "bobs")) {
            setPassword("alice", "new");
            assertEquals(new Message.Bye(0), read(alice));
            eventually("alice-laptop left the registry",
                () -> !controller.directory().isKnownClient("alice-laptop"));
            write(bob, new Message.Keepalive(3));
            assertEquals("another user's session carries on", new Message.KeepaliveAck(3), read(bob));
        }
    }

    @Test
    public void anAccessRuleChangedEndsTheMembershipsItNoLongerPermits() throws Exception {
        setPassword("alice", "pw");
        assertTrue(controller.rpcs().createVlan(new CreateVlanInputBuilder().setName("red").build())
            .get(10, TimeUnit.SECONDS).isSuccessful());
        putAccessControl(AclAction.Permit);
        eventually("joining is permitted", () -> controller.security().policy().joinDefault());
        try (var alice = login("alice-laptop", "alice", "pw")) {
            write(alice, new Message.Join(1, 0x020000000001L, "red"));
            assertTrue(read(alice) instanceof Message.Joined);
            eventually("the membership is stored", () -> storedMember("alice-laptop", "red"));

            putAccessControl(AclAction.Deny);
            eventually("the membership is gone from the datastore", () -> !storedMember("alice-laptop", "red"));
            assertEquals(Set.of(), controller.directory().vlansOf("alice-laptop"));
            write(alice, new Message.Keepalive(4));
            assertEquals("the session itself stays", new Message.KeepaliveAck(4), read(alice));
        }
    }

    private void putAccessControl(final AclAction join) throws Exception {
        final var tx = getDataBroker().newWriteOnlyTransaction();
        tx.put(CONFIGURATION, ServalPaths.ACCESS_CONTROL, new AccessControlBuilder().setJoinDefault(join).build());
        tx.commit().get(10, TimeUnit.SECONDS);
    }
}
