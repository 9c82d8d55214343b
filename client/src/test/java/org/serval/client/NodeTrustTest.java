/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.security.ServerIdentity;

/**
 * A node list widens a pinned client's trust only to each node's own endpoints, and only while the node is in the
 * latest list: real TLS handshakes on loopback, through the client's own connection and failover.
 */
class NodeTrustTest {
    private ServerIdentity pinned;
    private ServerIdentity other;
    private final AtomicReference<List<Message.NodeEntry>> listOfA = new AtomicReference<>(List.of());
    private FakeNode nodeA;
    private FakeNode nodeB;
    private Connection connection;

    @BeforeEach
    void setUp() throws Exception {
        pinned = ServerIdentity.ephemeral();
        other = ServerIdentity.ephemeral();
        nodeA = new FakeNode("a", pinned, "127.0.0.1", 0, listOfA::get);
        nodeB = new FakeNode("b", other, "127.0.0.1", 0, listOfA::get);
        listOfA.set(List.of(entry(nodeA, pinned), entry(nodeB, other)));
        final var options = new ClientOptions("127.0.0.1", nodeA.port(), "tcp", "t1", Map.of("red", "serval0"), 0,
            0, 0, "alice", "secret", pinned.fingerprint(), null, false, null, false, false);
        final var failover = new Failover[1];
        connection = new Connection(options, new Connection.Listener() {
            @Override
            public void data(final Message.Data data) {
                // no frames here
            }

            @Override
            public void writable() {
                // nothing to resume
            }

            @Override
            public void nodes(final Message.Nodes list) {
                failover[0].received(list);
            }
        });
        failover[0] = new Failover(new Endpoint("127.0.0.1", nodeA.port()), false, connection.trust());
    }

    @AfterEach
    void tearDown() {
        connection.close();
        nodeA.close();
        nodeB.close();
    }

    private static Message.NodeEntry entry(final FakeNode node, final ServerIdentity identity) {
        return new Message.NodeEntry(node.nodeId(), Message.NodeEntry.TCP, "127.0.0.1", node.port(), 0, 0,
            identity.fingerprint());
    }

    private Message.Welcome logIn(final String host, final int port) throws Exception {
        return connection.logIn(new Endpoint(host, port), false);
    }

    @Test
    void aListedNodeIsTrustedAtItsOwnEndpointOnly() throws Exception {
        final var e = assertThrows(ClientFailure.class, () -> logIn("127.0.0.1", nodeB.port()),
            "before any node list, only the pin is trusted");
        assertEquals(ClientFailure.AUTH, e.exitCode(), e.getMessage());
        assertEquals("a", logIn("127.0.0.1", nodeA.port()).nodeId());
        assertEquals("b", logIn("127.0.0.1", nodeB.port()).nodeId(), "B is in the list A sent, at this endpoint");

        // The same certificate at another port of the same host, and at the same port of another host.
        try (var elsewhere = new FakeNode("b", other, "127.0.0.1", 0, List::of);
             var otherHost = new FakeNode("b", other, "127.0.0.2", nodeB.port(), List::of)) {
            final var wrongPort = assertThrows(ClientFailure.class, () -> logIn("127.0.0.1", elsewhere.port()));
            assertEquals(ClientFailure.AUTH, wrongPort.exitCode(), wrongPort.getMessage());
            assertTrue(wrongPort.getMessage().contains("another host or port"), wrongPort.getMessage());
            final var wrongHost = assertThrows(ClientFailure.class, () -> logIn("127.0.0.2", nodeB.port()));
            assertEquals(ClientFailure.AUTH, wrongHost.exitCode(), wrongHost.getMessage());
        }
        assertEquals("b", logIn("127.0.0.1", nodeB.port()).nodeId(), "B itself is still trusted");
    }

    @Test
    void aListFromAConnectionTheClientHasLeftCountsForNothing() throws Exception {
        assertEquals("a", logIn("127.0.0.1", nodeA.port()).nodeId());
        assertEquals("b", logIn("127.0.0.1", nodeB.port()).nodeId());
        // A, no longer the client's node, names a newcomer on the connection the client has moved away from.
        final var identityOfC = ServerIdentity.ephemeral();
        try (var newcomer = new FakeNode("c", identityOfC, "127.0.0.1", 0, listOfA::get)) {
            nodeA.push(List.of(entry(nodeA, pinned), entry(nodeB, other), entry(newcomer, identityOfC)))
                .get(10, TimeUnit.SECONDS);
            final var e = assertThrows(ClientFailure.class, () -> logIn("127.0.0.1", newcomer.port()));
            assertEquals(ClientFailure.AUTH, e.exitCode(), e.getMessage());
        }
        assertEquals("b", logIn("127.0.0.1", nodeB.port()).nodeId(), "the list of B, the current node, holds");
        // The current node's word does count.
        final var later = ServerIdentity.ephemeral();
        try (var joined = new FakeNode("d", later, "127.0.0.1", 0, listOfA::get)) {
            nodeB.push(List.of(entry(nodeA, pinned), entry(nodeB, other), entry(joined, later)))
                .get(10, TimeUnit.SECONDS);
            assertEquals("d", logIn("127.0.0.1", joined.port()).nodeId());
        }
    }

    @Test
    void aNodeDroppedFromTheLatestListIsNoLongerTrusted() throws Exception {
        assertEquals("a", logIn("127.0.0.1", nodeA.port()).nodeId());
        assertEquals("b", logIn("127.0.0.1", nodeB.port()).nodeId());

        listOfA.set(List.of(entry(nodeA, pinned)));
        assertEquals("a", logIn("127.0.0.1", nodeA.port()).nodeId(), "the pin is the root: A is always trusted");
        final var e = assertThrows(ClientFailure.class, () -> logIn("127.0.0.1", nodeB.port()));
        assertEquals(ClientFailure.AUTH, e.exitCode(), e.getMessage());
        assertTrue(e.getMessage().contains("not the pinned"), e.getMessage());
    }
}
