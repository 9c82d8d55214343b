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

import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.After;
import org.junit.Test;
import org.opendaylight.mdsal.binding.api.NotificationPublishService;
import org.opendaylight.mdsal.binding.api.RpcProviderService;
import org.opendaylight.mdsal.binding.dom.adapter.test.AbstractConcurrentDataBrokerTest;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.cluster.rev261130.ResumptionKeys;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.cluster.rev261130.resumption.keys.ResumptionKey;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.cluster.rev261130.resumption.keys.ResumptionKeyBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.cluster.rev261130.resumption.keys.ResumptionKeyKey;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.opendaylight.yangtools.concepts.Registration;
import org.opendaylight.yangtools.yang.common.Uint16;
import org.serval.api.Credential;
import org.serval.api.UserInfo;
import org.serval.dataplane.session.DataplaneSettings;

/**
 * Two nodes on one in-memory datastore: the first to find no resumption key creates one, both hold it, a credential
 * one issues the other accepts, and keys rotate through the configuration.
 */
public class ResumptionKeysTest extends AbstractConcurrentDataBrokerTest {
    private static final Registration NO_REGISTRATION = () -> { };
    private static final String HASH = "$pbkdf2-sha256$1000$c2FsdA$aGFzaA";
    private static final UserInfo ALICE = new UserInfo("alice", HASH, true, Set.of(), 8, 16, Set.of());

    private ServalController nodeA;
    private ServalController nodeB;

    public ResumptionKeysTest() {
        super(true);
    }

    private ServalController start(final String id) throws InterruptedException {
        final var rpcProvider = mock(RpcProviderService.class,
            invocation -> invocation.getMethod().getReturnType() == Registration.class ? NO_REGISTRATION : null);
        return new ServalController(getDataBroker(), getDomBroker(), rpcProvider,
            mock(NotificationPublishService.class), DataplaneSettings.defaults(id), 1000,
            ServalController.Sockets.NONE, null, 1000);
    }

    @After
    public void stop() {
        if (nodeB != null) {
            nodeB.close();
        }
        if (nodeA != null) {
            nodeA.close();
        }
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

    private ResumptionKeys stored() throws Exception {
        try (var tx = getDataBroker().newReadOnlyTransaction()) {
            return tx.read(CONFIGURATION, ResumptionKeyUpdater.KEYS).get(10, TimeUnit.SECONDS).orElse(null);
        }
    }

    private static DataObjectIdentifier<ResumptionKey> key(final int id) {
        return DataObjectIdentifier.builder(ResumptionKeys.class)
            .child(ResumptionKey.class, new ResumptionKeyKey(Uint16.valueOf(id))).build();
    }

    private static String issue(final ServalController node) {
        return node.resumption().issue("alice", "c1", Credential.password(HASH), node.resumption().expiryFromNow())
            .credential();
    }

    private static boolean accepts(final ServalController node, final String credential) {
        return node.resumption().verify(credential, "alice", "c1", ALICE).ok();
    }

    @Test
    public void theFirstNodeCreatesTheKeyEveryNodeHoldsItAndKeysRotate() throws Exception {
        nodeA = start("node-a");
        nodeB = start("node-b");
        eventually("both nodes hold a key", () -> nodeA.resumption().issuingKey() == 1
            && nodeB.resumption().issuingKey() == 1);
        assertEquals("one key for the cluster, however many nodes looked", 1,
            stored().nonnullResumptionKey().size());
        final var fromA = issue(nodeA);
        assertTrue("a credential from one node is good at the other", accepts(nodeB, fromA));

        // Rotation: a new key with a higher id issues at once; the old one still verifies until it is deleted.
        final var secret = new byte[32];
        Arrays.fill(secret, (byte) 42);
        var tx = getDataBroker().newWriteOnlyTransaction();
        tx.put(CONFIGURATION, key(2), new ResumptionKeyBuilder().setId(Uint16.valueOf(2)).setSecret(secret).build());
        tx.commit().get(10, TimeUnit.SECONDS);
        eventually("key 2 issues", () -> nodeA.resumption().issuingKey() == 2
            && nodeB.resumption().issuingKey() == 2);
        final var fromB = issue(nodeB);
        assertTrue(accepts(nodeA, fromB));
        assertTrue("the retiring key still verifies", accepts(nodeA, fromA));
        tx = getDataBroker().newWriteOnlyTransaction();
        tx.delete(CONFIGURATION, key(1));
        tx.commit().get(10, TimeUnit.SECONDS);
        eventually("key 1 is gone", () -> !accepts(nodeB, fromA));
        assertTrue(accepts(nodeB, fromB));

        // Everything deleted: every credential is refused, and a node creates a fresh key.
        tx = getDataBroker().newWriteOnlyTransaction();
        tx.delete(CONFIGURATION, ResumptionKeyUpdater.KEYS);
        tx.commit().get(10, TimeUnit.SECONDS);
        eventually("a new key issues", () -> nodeA.resumption().issuingKey() == 1
            && nodeB.resumption().issuingKey() == 1);
        assertFalse(accepts(nodeA, fromB));
        assertFalse("a new key 1 is not the old key 1", accepts(nodeA, fromA));
        assertTrue(accepts(nodeB, issue(nodeA)));
    }
}
