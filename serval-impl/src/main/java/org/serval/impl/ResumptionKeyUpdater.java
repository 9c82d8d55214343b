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

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.mdsal.binding.api.DataObjectDeleted;
import org.opendaylight.mdsal.binding.api.DataObjectModification.WithDataAfter;
import org.opendaylight.mdsal.binding.api.DataTreeChangeListener;
import org.opendaylight.mdsal.binding.api.DataTreeModification;
import org.opendaylight.mdsal.common.api.CommitInfo;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.cluster.rev261130.ResumptionKeys;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.cluster.rev261130.ResumptionKeysBuilder;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.cluster.rev261130.resumption.keys.ResumptionKeyBuilder;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.opendaylight.yangtools.binding.util.BindingMap;
import org.opendaylight.yangtools.concepts.Registration;
import org.opendaylight.yangtools.yang.common.Uint16;
import org.serval.dataplane.security.Resumption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's resumption keys ({@link Resumption}) those of the cluster's CONFIGURATION
 * ({@code serval-cluster:resumption-keys}), from a data tree change listener, so that a login never reads the
 * datastore. A node that finds no key creates one: read and write in one transaction, so that when two nodes do it
 * at once the second commit fails, and reading again finds the first one's key. Nothing here blocks: the datastore
 * is asked with callbacks, and retried from the housekeeping thread while it has no leader.
 */
final class ResumptionKeyUpdater implements AutoCloseable {
    static final DataObjectIdentifier<ResumptionKeys> KEYS = DataObjectIdentifier.builder(ResumptionKeys.class)
        .build();
    private static final Logger LOG = LoggerFactory.getLogger(ResumptionKeyUpdater.class);
    private static final long RETRY_SECONDS = 5;

    private final DataBroker broker;
    private final Resumption resumption;
    private final ScheduledExecutorService retries;
    private final SecureRandom random = new SecureRandom();
    private final AtomicBoolean creating = new AtomicBoolean();
    private final Registration registration;
    private volatile boolean closed;

    ResumptionKeyUpdater(final DataBroker broker, final Resumption resumption,
            final ScheduledExecutorService retries) {
        this.broker = requireNonNull(broker);
        this.resumption = requireNonNull(resumption);
        this.retries = requireNonNull(retries);
        registration = broker.registerTreeChangeListener(CONFIGURATION, KEYS,
            (DataTreeChangeListener<ResumptionKeys>) this::onKeysChanged);
        ensureKey();
    }

    static Map<Integer, byte[]> secrets(final ResumptionKeys keys) {
        final var result = new HashMap<Integer, byte[]>();
        if (keys != null) {
            for (var key : keys.nonnullResumptionKey().values()) {
                if (key.getSecret() != null) {
                    result.put(key.getId().intValue(), key.getSecret());
                }
            }
        }
        return result;
    }

    private void onKeysChanged(final List<DataTreeModification<ResumptionKeys>> changes) {
        for (var change : changes) {
            final var secrets = switch (change.getRootNode()) {
                case DataObjectDeleted<ResumptionKeys> deleted -> Map.<Integer, byte[]>of();
                case WithDataAfter<ResumptionKeys> present -> secrets(present.dataAfter());
            };
            resumption.replaceKeys(secrets);
            LOG.info("Resumption keys now {}; key {} issues", secrets.keySet(), resumption.issuingKey());
            if (secrets.isEmpty()) {
                // all deleted: every credential is refused, and a new key lets clients get new ones
                ensureKey();
            }
        }
    }

    /**
     * Creates the cluster's first key unless the datastore has one; one attempt at a time.
     */
    private void ensureKey() {
        if (closed || !creating.compareAndSet(false, true)) {
            return;
        }
        final var tx = broker.newReadWriteTransaction();
        Futures.addCallback(tx.read(CONFIGURATION, KEYS), new FutureCallback<Optional<ResumptionKeys>>() {
            @Override
            public void onSuccess(final Optional<ResumptionKeys> keys) {
                if (!secrets(keys.orElse(null)).isEmpty()) {
                    tx.cancel();
                    creating.set(false);
                    return;
                }
                final var secret = new byte[Resumption.KEY_BYTES];
                random.nextBytes(secret);
                tx.put(CONFIGURATION, KEYS, new ResumptionKeysBuilder()
                    .setResumptionKey(BindingMap.of(new ResumptionKeyBuilder().setId(Uint16.ONE).setSecret(secret)
                        .build()))
                    .build());
                Futures.addCallback(tx.commit(), new FutureCallback<CommitInfo>() {
                    @Override
                    public void onSuccess(final CommitInfo result) {
                        creating.set(false);
                        LOG.info("Created the cluster's resumption key 1");
                    }

                    @Override
                    public void onFailure(final Throwable cause) {
                        // another node created one meanwhile, or no leader yet: read again
                        retry(cause);
                    }
                }, MoreExecutors.directExecutor());
            }

            @Override
            public void onFailure(final Throwable cause) {
                tx.cancel();
                retry(cause);
            }
        }, MoreExecutors.directExecutor());
    }

    private void retry(final Throwable cause) {
        creating.set(false);
        if (closed || retries.isShutdown()) {
            return;
        }
        LOG.info("Creating a resumption key failed; reading again in {} s: {}", RETRY_SECONDS, cause.toString());
        retries.schedule(this::ensureKey, RETRY_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        closed = true;
        registration.close();
    }
}
