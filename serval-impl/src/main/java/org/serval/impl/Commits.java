/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.impl;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs the outcome of a commit nobody waits for. Callers must not block on datastore futures (listener and RPC
 * threads), yet a failed background write must not pass silently.
 */
final class Commits {
    private static final Logger LOG = LoggerFactory.getLogger(Commits.class);

    private Commits() {
        // utility
    }

    static void logOutcome(final ListenableFuture<?> commit, final String what) {
        Futures.addCallback(commit, new FutureCallback<Object>() {
            @Override
            public void onSuccess(final Object result) {
                LOG.debug("{}: done", what);
            }

            @Override
            public void onFailure(final Throwable cause) {
                LOG.warn("{}: failed", what, cause);
            }
        }, MoreExecutors.directExecutor());
    }
}
