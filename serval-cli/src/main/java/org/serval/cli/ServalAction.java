/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.cli;

import com.google.common.util.concurrent.ListenableFuture;
import java.io.PrintStream;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.console.Session;
import org.opendaylight.yangtools.yang.common.RpcResult;

/**
 * What every serval command shares: printing to the session's console (so output reaches scripted
 * {@code bin/client} sessions too) and turning RPC failures into one readable line.
 */
abstract class ServalAction implements Action {
    static final long TIMEOUT_SECONDS = 30;

    @Reference
    Session session;

    PrintStream out() {
        return session.getConsole();
    }

    /**
     * Prints an error for a person: what went wrong and, where the datastore gave one, its RFC 8040 error-tag.
     */
    Object error(final String message) {
        out().println("Error: " + message);
        return null;
    }

    /**
     * Waits for an RPC. The shell thread is the caller's own, so blocking here holds up nothing else.
     *
     * @return the result, or null after printing why there is none
     */
    <T> T call(final ListenableFuture<RpcResult<T>> future) throws InterruptedException {
        final RpcResult<T> result;
        try {
            result = future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            error(String.valueOf(e.getCause() == null ? e : e.getCause().getMessage()));
            return null;
        } catch (TimeoutException e) {
            error("no answer within " + TIMEOUT_SECONDS + " s; is the datastore up?");
            return null;
        }
        if (!result.isSuccessful()) {
            final var sb = new StringBuilder();
            for (var err : result.getErrors()) {
                if (!sb.isEmpty()) {
                    sb.append("; ");
                }
                sb.append(err.getMessage()).append(" (").append(err.getTag().elementBody()).append(')');
            }
            error(sb.isEmpty() ? "the operation failed" : sb.toString());
            return null;
        }
        return result.getResult();
    }
}
