/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.mockito.Mockito.mock;
import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.CONFIGURATION;
import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.OPERATIONAL;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.opendaylight.mdsal.binding.api.NotificationPublishService;
import org.opendaylight.mdsal.binding.api.RpcProviderService;
import org.opendaylight.mdsal.binding.dom.adapter.test.AbstractConcurrentDataBrokerTest;
import org.opendaylight.mdsal.common.api.DataValidationFailedException;
import org.opendaylight.netconf.api.DocumentedException;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.Ipv4AddressNoZone;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.yang.types.rev130715.DateAndTime;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.yang.types.rev130715.MacAddress;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.ClientId;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.DhcpSubnet;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.NodeId;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.SlaacPrefix;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.VlanName;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.leases.LeaseBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlan.addressing.AddressingBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlan.addressing.addressing.Ipv4Builder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlan.addressing.addressing.Ipv6Builder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlan.addressing.addressing.ipv4.PoolBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlans.VlanBuilder;
import org.opendaylight.yangtools.binding.util.BindingMap;
import org.opendaylight.yangtools.concepts.Registration;
import org.opendaylight.yangtools.yang.common.ErrorTag;
import org.serval.api.Addressing;
import org.serval.dataplane.addressing.Lease;
import org.serval.dataplane.session.DataplaneSettings;

/**
 * A VLAN's addressing through the datastore: bad input refused with invalid-value however it is written, good
 * input reaching the switch, and leases going to OPERATIONAL and coming back into any node's view (a client that
 * moved, or a node that restarted).
 */
public class AddressingControllerTest extends AbstractConcurrentDataBrokerTest {
    private static final String NODE = "node-1";
    private static final Registration NO_REGISTRATION = () -> { };
    private static final long MAC = 0x0200_0000_00A1L;

    private ServalController controller;

    public AddressingControllerTest() {
        super(true);
    }

    @Before
    public void start() throws InterruptedException {
        controller = newController();
    }

    private ServalController newController() throws InterruptedException {
        final var rpcProvider = mock(RpcProviderService.class,
            invocation -> invocation.getMethod().getReturnType() == Registration.class ? NO_REGISTRATION : null);
        return new ServalController(getDataBroker(), getDomBroker(), rpcProvider,
            mock(NotificationPublishService.class), DataplaneSettings.defaults(NODE), 1000,
            ServalController.Sockets.NONE, null, 1000);
    }

    @After
    public void stop() {
        if (controller != null) {
            controller.close();
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

    private static VlanBuilder vlan(final String subnet, final String prefix, final String... pool) {
        final var ranges = new java.util.ArrayList<org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130
            .vlan.addressing.addressing.ipv4.Pool>();
        for (int i = 0; i < pool.length; i += 2) {
            ranges.add(new PoolBuilder().setStart(new Ipv4AddressNoZone(pool[i]))
                .setEnd(new Ipv4AddressNoZone(pool[i + 1])).build());
        }
        final var addressing = new AddressingBuilder();
        if (subnet != null) {
            addressing.setIpv4(new Ipv4Builder().setSubnet(new DhcpSubnet(subnet)).setPool(BindingMap.of(ranges))
                .setGateway(new Ipv4AddressNoZone("10.7.0.1")).build());
        }
        if (prefix != null) {
            addressing.setIpv6(new Ipv6Builder().setPrefix(new SlaacPrefix(prefix)).build());
        }
        return new VlanBuilder().setName(new VlanName("red")).setAddressing(addressing.build());
    }

    private void put(final VlanBuilder vlan) throws Exception {
        final var tx = getDataBroker().newWriteOnlyTransaction();
        tx.put(CONFIGURATION, ServalPaths.vlan("red"), vlan.build());
        tx.commit().get(10, TimeUnit.SECONDS);
    }

    /**
     * The check the commit cohort runs ({@link AddressingCheck}; the test broker runs no cohorts, so the RESTCONF
     * path is proven by the integration test) and the error it answers with.
     */
    private static void assertInvalid(final String expected, final VlanBuilder vlan) throws Exception {
        final var e = assertThrows(IllegalArgumentException.class, () -> AddressingUpdater.toAddressing(vlan.build()));
        assertTrue(e.getMessage(), e.getMessage().contains(expected));
        final var refusal = assertThrows(ExecutionException.class, () -> AddressingCheck.refuse(e.getMessage()).get());
        assertTrue(refusal.getCause() instanceof DataValidationFailedException);
        assertEquals(ErrorTag.INVALID_VALUE, ((DocumentedException) refusal.getCause().getCause()).getErrorTag());
    }

    @Test
    public void addressingTheSwitchCannotServeIsInvalidValue() throws Exception {
        assertInvalid("outside subnet", vlan("10.7.0.0/24", null, "10.8.0.10", "10.8.0.20"));
        assertInvalid("overlap", vlan("10.7.0.0/24", null, "10.7.0.10", "10.7.0.20", "10.7.0.15", "10.7.0.30"));
        // A prefix too long for SLAAC is refused by the model's own type (RESTCONF: invalid-value while parsing).
        assertThrows(IllegalArgumentException.class, () -> new SlaacPrefix("2001:db8::/96"));
        assertThrows(IllegalArgumentException.class, () -> new DhcpSubnet("10.7.0.0/31"));
        assertInvalid("gateway 10.7.0.1 is inside the pool", vlan("10.7.0.0/24", null, "10.7.0.1", "10.7.0.9"));
        put(vlan("10.7.0.0/24", "2001:db8:7::/64", "10.7.0.10", "10.7.0.20"));
    }

    @Test
    public void goodAddressingReachesTheSwitchAndItsLeasesTheDatastore() throws Exception {
        put(vlan("10.7.0.0/24", "2001:db8:7::/64", "10.7.0.10", "10.7.0.20"));
        final var services = controller.dataplane().addressing();
        final int address = Addressing.parseV4("10.7.0.12");
        // Configured: a lease stored for an address in the pool is kept (without a pool, too; with the pool, only
        // inside it), and one outside the pool is not.
        eventually("the addressing reached the dataplane", () -> {
            services.leaseStored("red", new Lease(0x0200_0000_0EEEL, Addressing.parseV4("10.7.0.99"), 0, null));
            return services.leaseOf("red", 0x0200_0000_0EEEL) == null;
        });

        controller.addressingUpdater().leased("red", new Lease(MAC, address, 1_893_456_000_000L, "client-1"));
        eventually("the lease is in OPERATIONAL", () -> read() != null);
        final var stored = read();
        assertEquals("10.7.0.12", stored.getAddress().getValue());
        assertEquals("client-1", stored.getClientId().getValue());
        assertEquals(NODE, stored.getNode().getValue());
        assertEquals("2030-01-01T00:00:00.000Z", stored.getExpires().getValue());

        controller.addressingUpdater().ended("red", MAC);
        eventually("the lease is gone from OPERATIONAL", () -> read() == null);
        eventually("and from the view", () -> services.leaseOf("red", MAC) == null);
    }

    @Test
    public void aLeaseOfAHostBehindABridgedInterfaceHasNoClientId() throws Exception {
        put(vlan("10.7.0.0/24", "2001:db8:7::/64", "10.7.0.10", "10.7.0.20"));
        // the switch records a bridged interface's port name as the holder: no client-id can be that
        controller.addressingUpdater().leased("red", new Lease(MAC, Addressing.parseV4("10.7.0.13"),
            1_893_456_000_000L, "bridge eth1.10"));
        eventually("the lease is in OPERATIONAL", () -> read() != null);
        assertEquals("10.7.0.13", read().getAddress().getValue());
        assertNull(read().getClientId());
    }

    @Test
    public void anotherNodesLeaseAndOneFromBeforeARestartReachTheView() throws Exception {
        put(vlan("10.7.0.0/24", null, "10.7.0.10", "10.7.0.20"));
        // As the client's old node wrote it before the client moved here.
        final var tx = getDataBroker().newWriteOnlyTransaction();
        tx.put(OPERATIONAL, AddressingUpdater.lease("red", MAC), new LeaseBuilder()
            .setVlan(new VlanName("red"))
            .setMac(new MacAddress(DatastoreClientRegistry.formatMac(MAC)))
            .setAddress(new Ipv4AddressNoZone("10.7.0.17"))
            .setExpires(new DateAndTime("2030-01-01T00:00:00Z"))
            .setClientId(new ClientId("client-1"))
            .setNode(new NodeId("node-2"))
            .build());
        tx.commit().get(10, TimeUnit.SECONDS);
        eventually("the view has the other node's lease",
            () -> controller.dataplane().addressing().leaseOf("red", MAC) != null);
        assertEquals(Addressing.parseV4("10.7.0.17"), controller.dataplane().addressing().leaseOf("red", MAC)
            .address());

        controller.close();
        controller = null;
        controller = newController();
        final var restarted = controller.dataplane().addressing();
        eventually("a restarted node reads the lease back", () -> restarted.leaseOf("red", MAC) != null);
        assertEquals(List.of("client-1", 1_893_456_000_000L), List.of(restarted.leaseOf("red", MAC).clientId(),
            restarted.leaseOf("red", MAC).expiresMillis()));
    }

    @Test
    public void theLeasesOfAVlanGoWithItsAddressing() throws Exception {
        put(vlan("10.7.0.0/24", null, "10.7.0.10", "10.7.0.20"));
        controller.addressingUpdater().leased("red", new Lease(MAC, Addressing.parseV4("10.7.0.12"),
            1_893_456_000_000L, "client-1"));
        eventually("the lease is in OPERATIONAL", () -> read() != null);
        // the VLAN stays, without addressing: its clients' leases mean nothing any more
        put(new VlanBuilder().setName(new VlanName("red")));
        eventually("the lease is gone with the addressing", () -> read() == null);

        put(vlan("10.7.0.0/24", null, "10.7.0.10", "10.7.0.20"));
        controller.addressingUpdater().leased("red", new Lease(MAC, Addressing.parseV4("10.7.0.12"),
            1_893_456_000_000L, "client-1"));
        eventually("the lease is back in OPERATIONAL", () -> read() != null);
        final var tx = getDataBroker().newWriteOnlyTransaction();
        tx.delete(CONFIGURATION, ServalPaths.vlan("red"));
        tx.commit().get(10, TimeUnit.SECONDS);
        eventually("the lease is gone with the VLAN", () -> read() == null);
    }

    @Test
    public void leasesOfVlansDeletedWhileNoNodeRanGoAtStart() throws Exception {
        put(vlan("10.7.0.0/24", null, "10.7.0.10", "10.7.0.20"));
        controller.close();
        controller = null;
        final var tx = getDataBroker().newWriteOnlyTransaction();
        for (var name : List.of("red", "gone")) {
            tx.put(OPERATIONAL, AddressingUpdater.lease(name, MAC), new LeaseBuilder()
                .setVlan(new VlanName(name))
                .setMac(new MacAddress(DatastoreClientRegistry.formatMac(MAC)))
                .setAddress(new Ipv4AddressNoZone("10.7.0.17"))
                .build());
        }
        tx.commit().get(10, TimeUnit.SECONDS);
        controller = newController();
        eventually("the lease of the VLAN that is gone is removed", () -> read("gone") == null);
        assertNotNull("the lease of a VLAN with addressing stays", read("red"));
    }

    private org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.leases.Lease read() {
        return read("red");
    }

    private org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.leases.Lease read(final String vlan) {
        try (var tx = getDataBroker().newReadOnlyTransaction()) {
            return tx.read(OPERATIONAL, AddressingUpdater.lease(vlan, MAC)).get(10, TimeUnit.SECONDS).orElse(null);
        } catch (InterruptedException | ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError(e);
        }
    }
}
