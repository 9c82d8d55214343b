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
import org.apache.karaf.shell.support.CommandException;
import org.opendaylight.yangtools.yang.common.RpcResult;

/**
 * What every serval command shares: printing to the session's console (so output reaches scripted
 * {@code bin/client} sessions too) and turning failures into one readable line.
 *
 * <p>A failure is thrown as a {@link CommandException} whose text is that line: Karaf prints it as it is, with no
 * stack trace, and the command fails (an {@code ssh host 'serval:...'} exits non-zero).
 */
abstract class ServalAction implements Action {
    static final long TIMEOUT_SECONDS = 30;

    @Reference
    Session session;

    PrintStream out() {
        return session.getConsole();
    }

    /**
     * Fails the command with an error for a person: what went wrong and, where the datastore gave one, its RFC 8040
     * error-tag.
     *
     * @return never; declared so that callers can write {@code return error(...)} or {@code throw error(...)}
     */
    static CommandException error(final String message) throws CommandException {
        throw failure(message);
    }

    static CommandException failure(final String message) {
        return new CommandException("Error: " + message, message);
    }

    /**
     * A failure that keeps its cause for the log at debug level; the person reads only the message.
     */
    static CommandException failure(final String message, final Throwable cause) {
        return new CommandException("Error: " + message, message, cause);
    }

    /**
     * Waits for an RPC. The shell thread is the caller's own, so blocking here holds up nothing else.
     *
     * @return the result
     * @throws CommandException saying why there is none
     */
    static <T> T call(final ListenableFuture<RpcResult<T>> future) throws InterruptedException, CommandException {
        final RpcResult<T> result;
        try {
            result = future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw failure(Datastore.describe(e), e);
        } catch (TimeoutException e) {
            throw failure("no answer within " + TIMEOUT_SECONDS + " s; is the datastore up?", e);
        }
        if (!result.isSuccessful()) {
            final var sb = new StringBuilder();
            for (var err : result.getErrors()) {
                if (!sb.isEmpty()) {
                    sb.append("; ");
                }
                sb.append(err.getMessage()).append(" (").append(err.getTag().elementBody()).append(')');
            }
            throw failure(sb.isEmpty() ? "the operation failed" : sb.toString());
        }
        return result.getResult();
    }
}
