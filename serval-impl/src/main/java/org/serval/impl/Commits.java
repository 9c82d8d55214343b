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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.serval.api.LocalVlanView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Helpers for commits that nobody may block on (listener, RPC and event loop threads): logging the outcome of a
 * background write, and waiting for this node's view to show a change.
 */
final class Commits {
    private static final Logger LOG = LoggerFactory.getLogger(Commits.class);
    private static final long VIEW_WAIT_SECONDS = 5;

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

    /**
     * Completes (never exceptionally) once the local view shows a committed change, or after a bound: the view
     * normally follows a commit within milliseconds, and past the bound the caller should answer anyway, since
     * the commit stands.
     */
    static CompletableFuture<Void> shownLocally(final LocalVlanView view, final BooleanSupplier shown,
            final String what) {
        final var done = new CompletableFuture<Void>();
        view.when(shown).orTimeout(VIEW_WAIT_SECONDS, TimeUnit.SECONDS).whenComplete((ok, late) -> {
            if (late != null) {
                LOG.debug("{}: not in the local view within {} s", what, VIEW_WAIT_SECONDS);
            }
            done.complete(null);
        });
        return done;
    }
}
