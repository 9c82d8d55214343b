/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.impl;

import com.google.common.util.concurrent.FluentFuture;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.opendaylight.mdsal.common.api.DataValidationFailedException;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.opendaylight.mdsal.common.api.PostCanCommitStep;
import org.opendaylight.mdsal.dom.api.DOMDataBroker;
import org.opendaylight.mdsal.dom.api.DOMDataTreeCandidate;
import org.opendaylight.mdsal.dom.api.DOMDataTreeCommitCohort;
import org.opendaylight.mdsal.dom.api.DOMDataTreeIdentifier;
import org.opendaylight.netconf.api.NetconfDocumentedException;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.Vlans;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlan.addressing.Addressing;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlan.addressing.addressing.Ipv4;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlan.addressing.addressing.Ipv6;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlan.addressing.addressing.ipv4.Pool;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlans.Vlan;
import org.opendaylight.yangtools.concepts.Registration;
import org.opendaylight.yangtools.util.concurrent.FluentFutures;
import org.opendaylight.yangtools.yang.common.ErrorSeverity;
import org.opendaylight.yangtools.yang.common.ErrorTag;
import org.opendaylight.yangtools.yang.common.ErrorType;
import org.opendaylight.yangtools.yang.common.QName;
import org.opendaylight.yangtools.yang.data.api.YangInstanceIdentifier;
import org.opendaylight.yangtools.yang.data.api.YangInstanceIdentifier.NodeIdentifier;
import org.opendaylight.yangtools.yang.data.api.schema.DataContainerNode;
import org.opendaylight.yangtools.yang.data.api.schema.LeafNode;
import org.opendaylight.yangtools.yang.data.api.schema.LeafSetNode;
import org.opendaylight.yangtools.yang.data.api.schema.MapEntryNode;
import org.opendaylight.yangtools.yang.data.api.schema.MapNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses, with invalid-value, a commit that gives a VLAN addressing its switch could not serve (a pool outside
 * the subnet, overlapping ranges, a prefix longer than /64 for SLAAC: {@link org.serval.api.Addressing#of}),
 * however it was written: RESTCONF PUT, PATCH, or the shell. The datastore checks the YANG types; this checks what
 * YANG cannot say.
 */
final class AddressingCheck implements DOMDataTreeCommitCohort, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AddressingCheck.class);
    private static final NodeIdentifier VLAN_LIST = NodeIdentifier.create(Vlan.QNAME);
    private static final NodeIdentifier NAME = leaf(Vlan.QNAME, "name");
    private static final NodeIdentifier ADDRESSING = NodeIdentifier.create(Addressing.QNAME);
    private static final NodeIdentifier IPV4 = NodeIdentifier.create(Ipv4.QNAME);
    private static final NodeIdentifier IPV6 = NodeIdentifier.create(Ipv6.QNAME);
    private static final NodeIdentifier POOL = NodeIdentifier.create(Pool.QNAME);
    private static final NodeIdentifier SUBNET = leaf(Ipv4.QNAME, "subnet");
    private static final NodeIdentifier START = leaf(Pool.QNAME, "start");
    private static final NodeIdentifier END = leaf(Pool.QNAME, "end");
    private static final NodeIdentifier LEASE_TIME = leaf(Ipv4.QNAME, "lease-time");
    private static final NodeIdentifier GATEWAY = leaf(Ipv4.QNAME, "gateway");
    private static final NodeIdentifier DNS = leaf(Ipv4.QNAME, "dns-server");
    private static final NodeIdentifier DOMAIN = leaf(Ipv4.QNAME, "domain");
    private static final NodeIdentifier PREFIX = leaf(Ipv6.QNAME, "prefix");
    private static final NodeIdentifier ROGUE_GUARD = leaf(Addressing.QNAME, "rogue-guard");
    private static final YangInstanceIdentifier VLANS_PATH = YangInstanceIdentifier.of(Vlans.QNAME);

    private final Registration registration;

    private AddressingCheck(final DOMDataBroker.CommitCohortExtension cohorts) {
        registration = cohorts.registerCommitCohort(
            DOMDataTreeIdentifier.of(LogicalDatastoreType.CONFIGURATION, VLANS_PATH), this);
    }

    private static NodeIdentifier leaf(final QName parent, final String name) {
        return NodeIdentifier.create(QName.create(parent, name));
    }

    /**
     * Registers the check with a broker, or returns null (with a warning) when the broker cannot run commit
     * cohorts.
     */
    static AddressingCheck register(final DOMDataBroker broker) {
        final var cohorts = broker.extension(DOMDataBroker.CommitCohortExtension.class);
        if (cohorts == null) {
            LOG.warn("The data broker runs no commit cohorts: bad addressing written directly is not refused");
            return null;
        }
        return new AddressingCheck(cohorts);
    }

    @Override
    public FluentFuture<PostCanCommitStep> canCommit(final Object txId,
            final org.opendaylight.yangtools.yang.model.api.EffectiveModelContext ctx,
            final Collection<DOMDataTreeCandidate> candidates) {
        for (var candidate : candidates) {
            final var list = candidate.getRootNode().modifiedChild(VLAN_LIST);
            if (list == null) {
                continue;
            }
            for (var entry : list.childNodes()) {
                if (entry.dataAfter() instanceof MapEntryNode vlan
                        && vlan.childByArg(ADDRESSING) instanceof DataContainerNode addressing) {
                    try {
                        check(addressing);
                    } catch (IllegalArgumentException e) {
                        final var name = vlan.childByArg(NAME) instanceof LeafNode<?> leaf ? leaf.body() : "?";
                        return refuse("VLAN " + name + ": " + e.getMessage());
                    }
                }
            }
        }
        return PostCanCommitStep.NOOP_SUCCESSFUL_FUTURE;
    }

    private static void check(final DataContainerNode addressing) {
        String subnet = null;
        final var pool = new ArrayList<String[]>();
        Long leaseTime = null;
        String gateway = null;
        final var dns = new ArrayList<String>();
        String domain = null;
        if (addressing.childByArg(IPV4) instanceof DataContainerNode ipv4) {
            subnet = text(ipv4, SUBNET);
            if (ipv4.childByArg(POOL) instanceof MapNode ranges) {
                for (var range : ranges.body()) {
                    final var start = text(range, START);
                    final var end = text(range, END);
                    pool.add(new String[] {start, end == null ? start : end});
                }
            }
            final var lease = text(ipv4, LEASE_TIME);
            leaseTime = lease == null ? null : Long.valueOf(lease);
            gateway = text(ipv4, GATEWAY);
            domain = text(ipv4, DOMAIN);
            if (ipv4.childByArg(DNS) instanceof LeafSetNode<?> servers) {
                servers.body().forEach(server -> dns.add(String.valueOf(server.body())));
            }
            if (subnet == null) {
                throw new IllegalArgumentException("ipv4 has no subnet");
            }
        }
        String prefix = null;
        if (addressing.childByArg(IPV6) instanceof DataContainerNode ipv6) {
            prefix = text(ipv6, PREFIX);
            if (prefix == null) {
                throw new IllegalArgumentException("ipv6 has no prefix");
            }
        }
        final var guard = text(addressing, ROGUE_GUARD);
        org.serval.api.Addressing.of(subnet, pool, leaseTime, gateway, List.copyOf(dns), domain, prefix,
            guard == null ? null : Boolean.valueOf(guard));
    }

    private static String text(final DataContainerNode node, final NodeIdentifier leaf) {
        return node.childByArg(leaf) instanceof LeafNode<?> value ? String.valueOf(value.body()) : null;
    }

    static FluentFuture<PostCanCommitStep> refuse(final String message) {
        return FluentFutures.immediateFailedFluentFuture(new DataValidationFailedException(
            YangInstanceIdentifier.class, VLANS_PATH, message,
            // RESTCONF passes a NetconfDocumentedException's own error-tag on (a plain DocumentedException's only
            // for data-exists and data-missing), so the administrator gets 400 invalid-value, not 500.
            new NetconfDocumentedException(message, ErrorType.APPLICATION, ErrorTag.INVALID_VALUE,
                ErrorSeverity.ERROR)));
    }

    @Override
    public void close() {
        registration.close();
    }
}
