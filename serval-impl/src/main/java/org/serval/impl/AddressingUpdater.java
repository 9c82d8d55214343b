/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.impl;

import static java.util.Objects.requireNonNull;
import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.CONFIGURATION;
import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.OPERATIONAL;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.mdsal.binding.api.DataObjectDeleted;
import org.opendaylight.mdsal.binding.api.DataObjectModification.WithDataAfter;
import org.opendaylight.mdsal.binding.api.DataTreeChangeListener;
import org.opendaylight.mdsal.binding.api.DataTreeModification;
import org.opendaylight.mdsal.common.api.CommitInfo;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.Ipv4AddressNoZone;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.yang.types.rev130715.DateAndTime;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.yang.types.rev130715.MacAddress;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.ClientId;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.Leases;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.NodeId;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.VlanName;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.Vlans;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.leases.Lease;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.leases.LeaseBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.leases.LeaseKey;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlans.Vlan;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.opendaylight.yangtools.binding.DataObjectReference;
import org.opendaylight.yangtools.concepts.Registration;
import org.serval.api.Addressing;
import org.serval.dataplane.addressing.AddressServices;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects the dataplane's addressing services to the datastore: each VLAN's {@code addressing} configuration goes
 * to the services, the leases the services give out go to the OPERATIONAL list {@code leases}, and every lease in
 * that list (any node's) comes back into the services' local view. That is how a client that moves to another node,
 * or whose node restarted, gets the address it had: the new node's view holds its lease.
 *
 * <p>The dataplane never waits for any of it: lease writes are committed asynchronously on a transaction chain (in
 * order), and the view trails the datastore by the time the listener takes.
 *
 * <p>Leases stay after they expire (they are the pool's memory of who had which address, bounded by the pool), so
 * the list is bounded only while every lease belongs to a VLAN with addressing: the leases of a VLAN that is deleted,
 * or loses its addressing, are removed by every node that sees the change (the same deletes, so whichever commits
 * first wins and the others' conflicts are harmless), and at start, for changes made while no node ran.
 */
final class AddressingUpdater implements AddressServices.LeaseListener, AutoCloseable {
    static final DataObjectReference<Lease> ALL_LEASES =
        DataObjectReference.builder(Leases.class).child(Lease.class).build();

    private static final Logger LOG = LoggerFactory.getLogger(AddressingUpdater.class);
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX");

    private final AddressServices services;
    private final String nodeId;
    private final Registration vlanReg;
    private final Registration leaseReg;
    // A failed chain loses some lease writes: the leases stay in this node's view and their clients renew them.
    private final RenewingChain chain;
    private final DataBroker broker;
    private boolean closed;

    AddressingUpdater(final DataBroker broker, final AddressServices services, final String nodeId) {
        this.services = requireNonNull(services);
        this.nodeId = requireNonNull(nodeId);
        chain = new RenewingChain(broker,
            () -> LOG.debug("A chain of lease writes failed; clients renew what it lost"));
        services.listener(this);
        leaseReg = broker.registerTreeChangeListener(OPERATIONAL, ALL_LEASES,
            (DataTreeChangeListener<Lease>) this::onLeasesChanged);
        vlanReg = broker.registerTreeChangeListener(CONFIGURATION, ServalPaths.ALL_VLANS,
            (DataTreeChangeListener<Vlan>) this::onVlansChanged);
        this.broker = broker;
        dropOrphanLeases();
    }

    static DataObjectIdentifier<Lease> lease(final String vlan, final long mac) {
        return DataObjectIdentifier.builder(Leases.class)
            .child(Lease.class, new LeaseKey(new MacAddress(DatastoreClientRegistry.formatMac(mac)),
                new VlanName(vlan)))
            .build();
    }

    /**
     * A VLAN's addressing as the dataplane uses it, or null for none.
     *
     * @throws IllegalArgumentException when the configuration cannot be served (refused before the commit by
     *     {@link AddressingCheck}; one that got in anyway, through a broker without commit cohorts, is ignored)
     */
    static Addressing toAddressing(final Vlan vlan) {
        final var addressing = vlan.getAddressing();
        if (addressing == null || addressing.getIpv4() == null && addressing.getIpv6() == null) {
            return null;
        }
        final var ipv4 = addressing.getIpv4();
        final var pool = new ArrayList<String[]>();
        final var dns = new ArrayList<String>();
        if (ipv4 != null) {
            for (var range : ipv4.nonnullPool().values()) {
                pool.add(new String[] {range.getStart().getValue(),
                    range.getEnd() == null ? range.getStart().getValue() : range.getEnd().getValue()});
            }
            if (ipv4.getDnsServer() != null) {
                ipv4.getDnsServer().forEach(server -> dns.add(server.getValue()));
            }
        }
        final var ipv6 = addressing.getIpv6();
        return Addressing.of(ipv4 == null || ipv4.getSubnet() == null ? null : ipv4.getSubnet().getValue(), pool,
            ipv4 == null || ipv4.getLeaseTime() == null ? null : ipv4.getLeaseTime().toJava(),
            ipv4 == null || ipv4.getGateway() == null ? null : ipv4.getGateway().getValue(), dns,
            ipv4 == null || ipv4.getDomain() == null ? null : ipv4.getDomain().getValue(),
            ipv6 == null || ipv6.getPrefix() == null ? null : ipv6.getPrefix().getValue(),
            addressing.getRogueGuard());
    }

    private void onVlansChanged(final List<DataTreeModification<Vlan>> changes) {
        boolean addressingGone = false;
        for (var change : changes) {
            switch (change.getRootNode()) {
                case DataObjectDeleted<Vlan> deleted -> {
                    services.removeVlan(deleted.dataBefore().getName().getValue());
                    addressingGone |= deleted.dataBefore().getAddressing() != null;
                }
                case WithDataAfter<Vlan> present -> {
                    final var vlan = present.dataAfter();
                    final var name = vlan.getName().getValue();
                    Addressing addressing;
                    try {
                        addressing = toAddressing(vlan);
                    } catch (IllegalArgumentException e) {
                        LOG.warn("VLAN {}: ignoring its addressing: {}", name, e.getMessage());
                        addressing = null;
                    }
                    services.configure(name, addressing);
                    final var before = present.dataBefore();
                    addressingGone |= addressing == null && before != null && before.getAddressing() != null;
                }
            }
        }
        if (addressingGone) {
            dropOrphanLeases();
        }
    }

    /**
     * Removes the leases of VLANs that do not exist or have no addressing. A transaction binds to one datastore, so
     * the VLANs are read first and the leases then: a VLAN given addressing back within those few milliseconds may
     * lose the leases just made, which its clients renew.
     */
    private void dropOrphanLeases() {
        final var config = broker.newReadOnlyTransaction();
        final var vlans = config.read(CONFIGURATION, ServalPaths.VLANS);
        config.close();
        final var tx = broker.newReadWriteTransaction();
        final var done = Futures.transformAsync(vlans, read -> {
            final Set<String> served = read.map(Vlans::nonnullVlan).map(map -> map.values().stream()
                .filter(vlan -> vlan.getAddressing() != null).map(vlan -> vlan.getName().getValue())
                .collect(Collectors.toSet())).orElse(Set.of());
            return Futures.transform(tx.read(OPERATIONAL, DataObjectIdentifier.builder(Leases.class).build()),
                leases -> {
                    final var orphans = leases.map(Leases::nonnullLease).map(map -> map.values().stream()
                        .filter(lease -> !served.contains(lease.getVlan().getValue())).toList()).orElse(List.of());
                    if (orphans.isEmpty()) {
                        tx.cancel();
                    } else {
                        orphans.forEach(lease -> tx.delete(OPERATIONAL, DataObjectIdentifier.builder(Leases.class)
                            .child(Lease.class, lease.key()).build()));
                        logRemoval(tx.commit(), orphans.size());
                    }
                    return orphans.size();
                }, MoreExecutors.directExecutor());
        }, MoreExecutors.directExecutor());
        Futures.addCallback(done, new FutureCallback<Integer>() {
            @Override
            public void onSuccess(final Integer result) {
                // committed or cancelled above
            }

            @Override
            public void onFailure(final Throwable cause) {
                tx.cancel();
                LOG.debug("Reading leases and VLANs failed: {}", cause.getMessage());
            }
        }, MoreExecutors.directExecutor());
    }

    private static void logRemoval(final com.google.common.util.concurrent.FluentFuture<? extends CommitInfo> commit,
            final int count) {
        Futures.addCallback(commit, new FutureCallback<CommitInfo>() {
            @Override
            public void onSuccess(final CommitInfo result) {
                LOG.info("Removed {} lease(s) of VLANs without addressing", count);
            }

            @Override
            public void onFailure(final Throwable cause) {
                // another node removing the same leases at the same time commits first
                LOG.debug("Removing leases of VLANs without addressing failed: {}", cause.getMessage());
            }
        }, MoreExecutors.directExecutor());
    }

    private void onLeasesChanged(final List<DataTreeModification<Lease>> changes) {
        for (var change : changes) {
            switch (change.getRootNode()) {
                case DataObjectDeleted<Lease> deleted -> {
                    final var key = deleted.dataBefore().key();
                    services.leaseRemoved(key.getVlan().getValue(),
                        DatastoreClientRegistry.parseMac(key.getMac().getValue()));
                }
                case WithDataAfter<Lease> present -> {
                    final var entry = present.dataAfter();
                    final var lease = toLease(entry);
                    if (lease != null) {
                        services.leaseStored(entry.getVlan().getValue(), lease);
                    }
                }
            }
        }
    }

    private static org.serval.dataplane.addressing.Lease toLease(final Lease entry) {
        if (entry.getAddress() == null || entry.getMac() == null) {
            return null;
        }
        try {
            final long expires = entry.getExpires() == null ? 0
                : OffsetDateTime.parse(entry.getExpires().getValue()).toInstant().toEpochMilli();
            return new org.serval.dataplane.addressing.Lease(
                DatastoreClientRegistry.parseMac(entry.getMac().getValue()),
                Addressing.parseV4(entry.getAddress().getValue()), expires,
                entry.getClientId() == null ? null : entry.getClientId().getValue());
        } catch (DateTimeParseException | IllegalArgumentException e) {
            LOG.debug("Ignoring lease {}: {}", entry.key(), e.getMessage());
            return null;
        }
    }

    @Override
    public synchronized void leased(final String vlan, final org.serval.dataplane.addressing.Lease lease) {
        if (closed) {
            return;
        }
        final var entry = new LeaseBuilder()
            .setVlan(new VlanName(vlan))
            .setMac(new MacAddress(DatastoreClientRegistry.formatMac(lease.mac())))
            .setAddress(new Ipv4AddressNoZone(Addressing.v4String(lease.address())))
            .setExpires(new DateAndTime(DATE_TIME.format(
                OffsetDateTime.ofInstant(Instant.ofEpochMilli(lease.expiresMillis()), ZoneOffset.UTC))))
            .setClientId(clientId(lease.clientId()))
            .setNode(new NodeId(nodeId))
            .build();
        final var tx = chain.newWriteOnlyTransaction();
        tx.put(OPERATIONAL, lease(vlan, lease.mac()), entry);
        logOutcome(tx.commit(), vlan, lease.mac());
    }

    /**
     * The lease's holder as a client-id, or null when it cannot be one. Bridged ports are named so that they can
     * ("bridge:IFACE.VID"); this is the safety net for any holder that is not: throwing here would leave that host's
     * DHCP REQUEST without an ACK.
     */
    private static ClientId clientId(final String holder) {
        if (holder == null) {
            return null;
        }
        try {
            return new ClientId(holder);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public synchronized void ended(final String vlan, final long mac) {
        if (closed) {
            return;
        }
        final var tx = chain.newWriteOnlyTransaction();
        tx.delete(OPERATIONAL, lease(vlan, mac));
        logOutcome(tx.commit(), vlan, mac);
    }

    private static void logOutcome(final com.google.common.util.concurrent.FluentFuture<? extends CommitInfo> commit,
            final String vlan, final long mac) {
        Futures.addCallback(commit, new FutureCallback<CommitInfo>() {
            @Override
            public void onSuccess(final CommitInfo result) {
                LOG.trace("Lease of {} in VLAN {} written", Long.toHexString(mac), vlan);
            }

            @Override
            public void onFailure(final Throwable cause) {
                // The lease stays in this node's view; the client renews it within half its lease time.
                LOG.warn("Writing the lease of {} in VLAN {} failed: {}", DatastoreClientRegistry.formatMac(mac),
                    vlan, cause.getMessage());
            }
        }, MoreExecutors.directExecutor());
    }

    @Override
    public synchronized void close() {
        closed = true;
        services.listener(AddressServices.LeaseListener.NONE);
        vlanReg.close();
        leaseReg.close();
        chain.close();
    }
}
