/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.impl.osgi;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.serval.impl.host.StalledServiceWatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps OpenDaylight AAA's encryption service from staying away after SERVAL's install (see
 * {@link StalledServiceWatch}): the host's component runtime tells whether the configurator is active, the service
 * registry whether the service is there. Names only, no AAA classes: SERVAL does not depend on AAA, and in a host
 * without it the watch sees no provider and does nothing. {@code scr:disable} of this component turns it off.
 */
@Component(immediate = true, service = {})
public final class OSGiAaaEncryptionWatch implements StalledServiceWatch.Host {
    private static final String PROVIDER_BUNDLE = "org.opendaylight.aaa.encrypt-service-impl";
    private static final String PROVIDER = "org.opendaylight.aaa.encrypt.impl.OSGiEncryptionServiceConfigurator";
    private static final String SERVICE = "org.opendaylight.aaa.encrypt.AAAEncryptionService";
    // The configurator brings the service up within a second when it works; restarting it is cheap.
    private static final Duration GRACE = Duration.ofSeconds(15);
    private static final Duration PERIOD = Duration.ofSeconds(3);
    private static final int MAX_RESTARTS = 5;
    private static final Logger LOG = LoggerFactory.getLogger(OSGiAaaEncryptionWatch.class);

    private final BundleContext context;
    private final ServiceComponentRuntime runtime;
    private final ScheduledExecutorService timer;

    @Activate
    public OSGiAaaEncryptionWatch(final BundleContext context, @Reference final ServiceComponentRuntime runtime) {
        this.context = context;
        this.runtime = runtime;
        final var watch = new StalledServiceWatch(this, "OpenDaylight AAA's encryption service", GRACE,
            MAX_RESTARTS);
        timer = Executors.newSingleThreadScheduledExecutor(task -> {
            final var thread = new Thread(task, "serval-aaa-watch");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                watch.check(System.nanoTime());
            } catch (IllegalStateException | IllegalArgumentException e) {
                // a bundle or the framework stopping under us; the next look sees the new state
                LOG.debug("Could not look at AAA's encryption service", e);
            }
        }, PERIOD.toMillis(), PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
    }

    @Override
    public boolean providerActive() {
        final var provider = provider();
        return provider != null && runtime.isComponentEnabled(provider)
            && runtime.getComponentConfigurationDTOs(provider).stream()
                .anyMatch(config -> config.state == ComponentConfigurationDTO.ACTIVE);
    }

    @Override
    public boolean servicePresent() {
        return context.getServiceReference(SERVICE) != null;
    }

    @Override
    public void restartProvider() {
        final var provider = provider();
        if (provider != null) {
            runtime.disableComponent(provider).onResolve(() -> runtime.enableComponent(provider));
        }
    }

    private ComponentDescriptionDTO provider() {
        return Arrays.stream(context.getBundles())
            .filter(bundle -> PROVIDER_BUNDLE.equals(bundle.getSymbolicName()))
            .map(bundle -> runtime.getComponentDescriptionDTO(bundle, PROVIDER))
            .filter(description -> description != null)
            .findFirst().orElse(null);
    }
}
