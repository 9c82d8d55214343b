/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.openflow.osgi;

import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.opendaylight.mdsal.dom.api.DOMDataBroker;
import org.opendaylight.openflowjava.protocol.spi.connection.SwitchConnectionProvider;
import org.opendaylight.openflowjava.protocol.spi.connection.SwitchConnectionProviderFactory;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.serval.dataplane.session.DataplaneSettings;
import org.serval.openflow.ListenerSettings;
import org.serval.openflow.OpenFlowSwitches;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SERVAL's OpenFlow controller in OSGi: starts openflowjava's switch connection provider with {@link OpenFlowSwitches}
 * as its handler, on the DOM data broker. A bundle and component of its own, so that SERVAL runs on when the listener
 * cannot start (port taken), and because it must not import SERVAL's binding packages (README.md). Configured, like
 * the rest of the node, through {@code etc/org.serval.controller.cfg} ({@code openflow.*}, and {@code node.id}).
 */
@Component(immediate = true, configurationPid = "org.serval.controller")
@Designate(ocd = OSGiOpenFlow.Config.class)
public final class OSGiOpenFlow {
    @ObjectClassDefinition(name = "SERVAL OpenFlow controller")
    public @interface Config {
        @AttributeDefinition(description = "This node's id; empty means the host name (shared with the controller)")
        String node_id() default "";

        @AttributeDefinition(description = "The address switches connect to; 127.0.0.1 accepts only switches on this"
            + " host")
        String openflow_address() default "127.0.0.1";

        @AttributeDefinition(description = "The OpenFlow port; 0 turns the listener off", min = "0", max = "65535")
        int openflow_port() default 6653;

        @AttributeDefinition(description = "PKCS#12 key store with this controller's key and certificate, relative"
            + " to the Karaf home; empty for plain TCP")
        String openflow_tls_keystore() default "";

        @AttributeDefinition(description = "The key store's password", type = AttributeType.PASSWORD)
        String openflow_tls_keystore_password() default "";

        @AttributeDefinition(description = "PKCS#12 trust store with the CA certificates of the switches accepted")
        String openflow_tls_truststore() default "";

        @AttributeDefinition(description = "The trust store's password", type = AttributeType.PASSWORD)
        String openflow_tls_truststore_password() default "";
    }

    private static final Logger LOG = LoggerFactory.getLogger(OSGiOpenFlow.class);

    private final OpenFlowSwitches switches;
    private final SwitchConnectionProvider provider;

    @Activate
    public OSGiOpenFlow(@Reference final DOMDataBroker broker,
            @Reference final SwitchConnectionProviderFactory factory, final BundleContext context,
            final Config config) {
        if (config.openflow_port() == 0) {
            switches = null;
            provider = null;
            LOG.info("OpenFlow: no listener (openflow.port = 0)");
            return;
        }
        final var home = home(context);
        final var tls = config.openflow_tls_keystore().isBlank() ? null : new ListenerSettings.Tls(
            home.resolve(config.openflow_tls_keystore()).toString(), config.openflow_tls_keystore_password(),
            home.resolve(config.openflow_tls_truststore()).toString(), config.openflow_tls_truststore_password());
        final var settings = new ListenerSettings(config.openflow_address().strip(), config.openflow_port(), tls);
        switches = new OpenFlowSwitches(broker, DataplaneSettings.nodeIdFrom(config.node_id()));
        provider = factory.newInstance(settings.toConfig());
        final var started = provider.startup(switches);
        started.addListener(() -> {
            try {
                started.get();
                LOG.info("OpenFlow: listening on {}:{} ({})", settings.address(), settings.port(),
                    tls == null ? "TCP" : "TLS");
            } catch (ExecutionException e) {
                LOG.error("OpenFlow: cannot listen on {}:{}", settings.address(), settings.port(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, Runnable::run);
    }

    /**
     * Where relative paths of the settings resolve: Karaf's instance directory, as for the controller's settings.
     */
    private static Path home(final BundleContext context) {
        final var base = context.getProperty("karaf.base");
        final var home = base != null ? base : context.getProperty("karaf.home");
        return Path.of(home == null ? "." : home);
    }


    @Deactivate
    void deactivate() {
        if (provider != null) {
            try {
                provider.shutdown().get(10, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                LOG.warn("OpenFlow: the listener did not stop cleanly", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (switches != null) {
            switches.close();
        }
    }
}
