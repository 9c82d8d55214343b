/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.cli;

import static org.opendaylight.mdsal.common.api.LogicalDatastoreType.CONFIGURATION;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.DomainName;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.Ipv4AddressNoZone;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.DhcpSubnet;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.SlaacPrefix;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.VlanName;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.Vlans;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlan.addressing.Addressing;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlan.addressing.AddressingBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlan.addressing.addressing.Ipv4Builder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlan.addressing.addressing.Ipv6Builder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlan.addressing.addressing.ipv4.Pool;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlan.addressing.addressing.ipv4.PoolBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlans.Vlan;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.vlans.VlanKey;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.opendaylight.yangtools.binding.util.BindingMap;
import org.opendaylight.yangtools.yang.common.Uint32;
import org.serval.api.Checks;

/**
 * Sets or clears the addresses a VLAN's switch gives out (vlans/vlan/addressing), the same configuration as a
 * RESTCONF PUT of that container; bad input is refused before anything is written.
 */
@Service
@Command(scope = "serval", name = "vlan-addressing",
    description = "Sets the DHCPv4 pool and IPv6 prefix a VLAN's switch gives its members, or clears them.")
public class VlanAddressingCommand extends ServalAction {
    @Reference
    DataBroker broker;

    @Argument(index = 0, name = "name", required = true, description = "The VLAN")
    @Completion(VlanCompleter.class)
    String name;

    @Option(name = "-s", aliases = "--subnet", description = "IPv4 subnet, e.g. 10.20.0.0/24")
    String subnet;

    @Option(name = "-p", aliases = "--pool", multiValued = true,
        description = "A range given out, start-end, e.g. 10.20.0.100-10.20.0.199 (repeatable)")
    List<String> pool;

    @Option(name = "-l", aliases = "--lease-time", description = "Lease time in seconds (60-604800, default 3600)")
    Long leaseTime;

    @Option(name = "-g", aliases = "--gateway", description = "Router option given to clients")
    String gateway;

    @Option(name = "--dns", multiValued = true, description = "A DNS server given to clients (repeatable)")
    List<String> dns;

    @Option(name = "--domain", description = "Domain name given to clients")
    String domain;

    @Option(name = "-6", aliases = "--prefix6", description = "IPv6 prefix announced for SLAAC, /64 or shorter")
    String prefix6;

    @Option(name = "--no-rogue-guard", description = "Let members' own DHCP servers and routers be heard")
    boolean noRogueGuard;

    @Option(name = "-c", aliases = "--clear", description = "Remove the VLAN's addressing")
    boolean clear;

    @Override
    public Object execute() throws InterruptedException, CommandException {
        final DataObjectIdentifier<Addressing> path;
        try {
            path = DataObjectIdentifier.builder(Vlans.class)
                .child(Vlan.class, new VlanKey(new VlanName(Checks.vlanName(name))))
                .child(Addressing.class).build();
        } catch (IllegalArgumentException e) {
            return error(e.getMessage());
        }
        final var tx = broker.newReadWriteTransaction();
        try {
            if (!tx.exists(CONFIGURATION, DataObjectIdentifier.builder(Vlans.class)
                    .child(Vlan.class, new VlanKey(new VlanName(name))).build())
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                tx.cancel();
                return error("no such VLAN " + name + " (data-missing)");
            }
            if (clear) {
                tx.delete(CONFIGURATION, path);
            } else {
                final Addressing addressing;
                try {
                    addressing = build();
                } catch (CommandException e) {
                    tx.cancel();
                    throw e;
                }
                tx.put(CONFIGURATION, path, addressing);
            }
            tx.commit().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw failure(Datastore.describe(e), e);
        } catch (TimeoutException e) {
            tx.cancel();
            return error("no answer within " + TIMEOUT_SECONDS + " s; is the datastore up?");
        }
        out().println(clear ? "VLAN " + name + " has no addressing now" : "VLAN " + name + " addressing set");
        return null;
    }

    private Addressing build() throws CommandException {
        final var ranges = new ArrayList<String[]>();
        final var pools = new ArrayList<Pool>();
        try {
            for (var range : pool == null ? List.<String>of() : pool) {
                final var ends = range.split("-", 2);
                final var pair = new String[] {ends[0].strip(), ends.length > 1 ? ends[1].strip() : ends[0].strip()};
                ranges.add(pair);
                pools.add(new PoolBuilder().setStart(new Ipv4AddressNoZone(pair[0]))
                    .setEnd(new Ipv4AddressNoZone(pair[1])).build());
            }
            // The server's own check, so that the shell says why before anything is written.
            org.serval.api.Addressing.of(subnet, ranges, leaseTime, gateway, dns == null ? List.of() : dns, domain,
                prefix6, !noRogueGuard);
            final var addressing = new AddressingBuilder().setRogueGuard(!noRogueGuard);
            if (subnet != null) {
                addressing.setIpv4(new Ipv4Builder()
                    .setSubnet(new DhcpSubnet(subnet))
                    .setPool(BindingMap.of(pools))
                    .setLeaseTime(leaseTime == null ? null : Uint32.valueOf(leaseTime))
                    .setGateway(gateway == null ? null : new Ipv4AddressNoZone(gateway))
                    .setDnsServer(dns == null ? null : dns.stream().map(Ipv4AddressNoZone::new).toList())
                    .setDomain(domain == null ? null : new DomainName(domain))
                    .build());
            }
            if (prefix6 != null) {
                addressing.setIpv6(new Ipv6Builder().setPrefix(new SlaacPrefix(prefix6)).build());
            }
            return addressing.build();
        } catch (IllegalArgumentException e) {
            throw failure(e.getMessage() + " (invalid-value)", e);
        }
    }
}
