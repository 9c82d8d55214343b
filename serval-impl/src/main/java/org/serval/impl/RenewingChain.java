/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.impl;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.FutureCallback;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.mdsal.binding.api.TransactionChain;
import org.opendaylight.mdsal.binding.api.WriteTransaction;
import org.opendaylight.yangtools.yang.common.Empty;

/**
 * A merging transaction chain for a writer whose writes must apply in order and never conflict with each other, made
 * anew when it fails: one failed commit fails the whole chain, and the writer goes on with a fresh one. It is told,
 * because the writes still in the failed chain may be lost and only it knows what to write again.
 */
final class RenewingChain implements AutoCloseable {
    private final DataBroker broker;
    private final Runnable onFailure;
    // Guarded by this.
    private TransactionChain chain;
    private boolean closed;

    /**
     * A chain.
     *
     * @param onFailure run when a chain failed (on the datastore's thread: quick, never blocking)
     */
    RenewingChain(final DataBroker broker, final Runnable onFailure) {
        this.broker = requireNonNull(broker);
        this.onFailure = requireNonNull(onFailure);
    }

    /**
     * A transaction on the current chain, or on a new one if the last failed.
     *
     * @throws IllegalStateException once closed
     */
    synchronized WriteTransaction newWriteOnlyTransaction() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (chain == null) {
            final var created = broker.createMergingTransactionChain();
            created.addCallback(new FutureCallback<Empty>() {
                @Override
                public void onSuccess(final Empty result) {
                    // closed
                }

                @Override
                public void onFailure(final Throwable cause) {
                    failed(created);
                }
            });
            chain = created;
        }
        return chain.newWriteOnlyTransaction();
    }

    private void failed(final TransactionChain failedChain) {
        synchronized (this) {
            if (chain == failedChain) {
                chain = null;
            }
        }
        onFailure.run();
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (chain != null) {
            chain.close();
            chain = null;
        }
    }
}
