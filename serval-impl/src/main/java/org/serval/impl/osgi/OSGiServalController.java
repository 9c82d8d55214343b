/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.impl.osgi;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.mdsal.binding.api.NotificationPublishService;
import org.opendaylight.mdsal.binding.api.RpcProviderService;
import org.opendaylight.mdsal.dom.api.DOMDataBroker;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.serval.api.PasswordHash;
import org.serval.api.VlanDirectory;
import org.serval.dataplane.security.ServerIdentity;
import org.serval.dataplane.session.DataplaneSettings;
import org.serval.dataplane.transport.Warmup;
import org.serval.impl.ServalController;
import org.serval.impl.metrics.MetricsEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link ServalController} in OSGi and publishes its {@link VlanDirectory} for the dataplane and the shell.
 * Configured through {@code etc/org.serval.controller.cfg}.
 */
@Component(immediate = true, configurationPid = "org.serval.controller")
@Designate(ocd = OSGiServalController.Config.class)
public final class OSGiServalController {
    @ObjectClassDefinition(name = "SERVAL controller")
    public @interface Config {
        @AttributeDefinition(description = "This node's id; empty means the host name")
        String node_id() default "";

        @AttributeDefinition(description = "The most VLANs one get-vlans answer lists", min = "1")
        int get_vlans_limit() default 100_000;

        @AttributeDefinition(description = "The address the dataplane accepts TCP clients on")
        String dataplane_tcp_address() default "0.0.0.0";

        @AttributeDefinition(description = "The dataplane's TCP port; 0 turns the TCP listener off", min = "0",
            max = "65535")
        int dataplane_tcp_port() default 4000;

        @AttributeDefinition(description = "The address the dataplane accepts UDP clients on")
        String dataplane_udp_address() default "0.0.0.0";

        @AttributeDefinition(description = "The dataplane's UDP port; 0 turns the UDP listener off", min = "0",
            max = "65535")
        int dataplane_udp_port() default 4000;

        @AttributeDefinition(description = "Event loop threads per dataplane transport; 0 for one per core",
            min = "0", max = "256")
        int dataplane_threads() default 0;

        @AttributeDefinition(description = "How often clients send keepalives, in milliseconds", min = "100")
        int keepalive_millis() default 5000;

        @AttributeDefinition(description = "How many silent keepalive periods expire a client", min = "1",
            max = "255")
        int expire_after() default 3;

        @AttributeDefinition(description = "The MTU clients set on their TAP interfaces", min = "576", max = "1500")
        int tap_mtu() default DataplaneSettings.DEFAULT_TAP_MTU;

        @AttributeDefinition(description = "Whether the switches answer ARP requests and IPv6 neighbour solicitations"
            + " for addresses they have learned, instead of flooding them to every member")
        boolean answer_neighbors() default true;

        @AttributeDefinition(description = "Run both transports without encryption; for benchmarks only, and only"
            + " clients told --plaintext can then connect")
        boolean dataplane_plaintext() default false;

        @AttributeDefinition(description = "The PKCS#12 key store with the dataplane's key and certificate,"
            + " relative to the Karaf home; created with a self-signed certificate when missing")
        String tls_keystore() default "state/tls/serval.p12";

        @AttributeDefinition(description = "Above this many clients the node sends new clients to, and asks some "
            + "of its clients to move to, a lighter node of its cluster; 0 for no limit")
        int load_max_clients() default 0;

        @AttributeDefinition(description = "Where this node accepts links from the other nodes of its cluster")
        String peer_address() default "0.0.0.0";

        @AttributeDefinition(description = "The port for links from other nodes; 0 (a single node) for none")
        int peer_port() default 0;

        @AttributeDefinition(description = "The address clients and other nodes use to reach this node; empty for "
            + "the first non-loopback address")
        String advertise_address() default "";

        @AttributeDefinition(description = "Run the dataplane's hot path over loopback for a second or two at start, "
            + "so that the first clients' frames do not run interpreted")
        boolean dataplane_warmup() default true;

        @AttributeDefinition(description = "The key store's password", type = AttributeType.PASSWORD)
        String tls_keystore_password() default "serval";

        @AttributeDefinition(description = "Where the Prometheus endpoint (/metrics, no authentication) listens; "
            + "this host only by default")
        String metrics_address() default DEFAULT_METRICS_ADDRESS;

        @AttributeDefinition(description = "The Prometheus endpoint's port; 0 turns it off", min = "0",
            max = "65535")
        int metrics_port() default DEFAULT_METRICS_PORT;
    }

    /** Where the metrics endpoint listens by default: this host only, as it has no authentication. */
    public static final String DEFAULT_METRICS_ADDRESS = "127.0.0.1";
    /** The metrics endpoint's default port: the one the Prometheus project assigns to OpenTelemetry-style exporters
     * (9464), free of the node's other ports (4000, 8101, 8181, 1099, 2550). */
    public static final int DEFAULT_METRICS_PORT = 9464;
    private static final Logger LOG = LoggerFactory.getLogger(OSGiServalController.class);

    private static final long WARMUP_MILLIS = 5_000;

    private final ServalController controller;
    private final ServiceRegistration<VlanDirectory> directoryRegistration;
    private final MetricsEndpoint metrics;

    @Activate
    public OSGiServalController(@Reference final DataBroker broker, @Reference final DOMDataBroker domBroker,
            @Reference final RpcProviderService rpcProvider,
            @Reference final NotificationPublishService notifications, final BundleContext context,
            final Config config) throws InterruptedException, IOException {
        final var defaults = DataplaneSettings.defaults(DataplaneSettings.nodeIdFrom(config.node_id()));
        final var settings = new DataplaneSettings(defaults.nodeId(), config.keepalive_millis(),
            config.expire_after(), config.tap_mtu(), defaults.maxMacsPerVlan(), defaults.maxMacsPerPort(),
            defaults.macAgingSeconds(), config.answer_neighbors(), config.load_max_clients());
        controller = new ServalController(broker, domBroker, rpcProvider, notifications, settings,
            config.get_vlans_limit(), new ServalController.Sockets(
                bind(config.dataplane_tcp_address(), config.dataplane_tcp_port()),
                bind(config.dataplane_udp_address(), config.dataplane_udp_port()),
                bind(config.peer_address(), config.peer_port()), config.advertise_address(),
                config.dataplane_threads()),
            config.dataplane_plaintext() ? null : ServerIdentity.loadOrCreate(
                home(context).resolve(config.tls_keystore()), config.tls_keystore_password().toCharArray()),
            PasswordHash.DEFAULT_ITERATIONS);
        directoryRegistration = context.registerService(VlanDirectory.class, controller.directory(), null);
        if (config.dataplane_warmup()) {
            Warmup.startLogged(WARMUP_MILLIS);
        }
        metrics = metrics(controller, config);
    }

    /**
     * Starts the metrics endpoint, or says why not: a node without metrics (its port taken by another node on the
     * same host, say) still serves its clients.
     */
    private static MetricsEndpoint metrics(final ServalController controller, final Config config) {
        if (config.metrics_port() == 0) {
            return null;
        }
        final var address = new InetSocketAddress(config.metrics_address(), config.metrics_port());
        try {
            return MetricsEndpoint.start(controller.dataplane(), controller.nodeId(),
                controller.commitTimes(), address);
        } catch (IOException e) {
            LOG.warn("No metrics endpoint: {}; set metrics.address and metrics.port in "
                + "etc/org.serval.controller.cfg", e.getMessage());
            return null;
        }
    }

    /**
     * Where relative paths of the settings resolve: Karaf's instance directory (karaf.base), which holds what this
     * node writes. A plain install has it equal to karaf.home; the Debian package keeps the program read-only in
     * /usr/lib/serval and the instance in /var/lib/serval (docs/packaging.md).
     */
    private static Path home(final BundleContext context) {
        final var base = context.getProperty("karaf.base");
        final var home = base != null ? base : context.getProperty("karaf.home");
        return Path.of(home == null ? "." : home);
    }

    private static InetSocketAddress bind(final String address, final int port) {
        return port == 0 ? null : new InetSocketAddress(address, port);
    }


    @Deactivate
    void deactivate() {
        if (metrics != null) {
            metrics.close();
        }
        directoryRegistration.unregister();
        controller.close();
    }
}
