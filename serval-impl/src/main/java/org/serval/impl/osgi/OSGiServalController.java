/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.impl.osgi;

import java.net.InetAddress;
import java.net.UnknownHostException;
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
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.serval.api.VlanDirectory;
import org.serval.impl.ServalController;

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
    }

    private final ServalController controller;
    private final ServiceRegistration<VlanDirectory> directoryRegistration;

    @Activate
    public OSGiServalController(@Reference final DataBroker broker, @Reference final DOMDataBroker domBroker,
            @Reference final RpcProviderService rpcProvider,
            @Reference final NotificationPublishService notifications, final BundleContext context,
            final Config config) {
        controller = new ServalController(broker, domBroker, rpcProvider, notifications, nodeId(config.node_id()),
            config.get_vlans_limit());
        directoryRegistration = context.registerService(VlanDirectory.class, controller.directory(), null);
    }

    private static String nodeId(final String configured) {
        if (!configured.isBlank()) {
            return configured.strip();
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "serval";
        }
    }

    @Deactivate
    void deactivate() {
        directoryRegistration.unregister();
        controller.close();
    }
}
