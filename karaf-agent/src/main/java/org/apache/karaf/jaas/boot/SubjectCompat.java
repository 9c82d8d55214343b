/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.apache.karaf.jaas.boot;

import java.security.AccessControlContext;
import java.security.PrivilegedAction;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import java.util.concurrent.CompletionException;
import javax.security.auth.Subject;

/**
 * What Karaf's rewritten call sites call instead of {@code Subject.getSubject(AccessControlContext)} and
 * {@code JaasHelper.doAs(...)} on JDK 24 and newer.
 *
 * <p>It lives in {@code org.apache.karaf.jaas.boot} because Karaf boot-delegates that package, so every bundle
 * whose classes the agent rewrites can see it. Before JDK 24 the subject travelled in the access control context,
 * which new threads inherit; Karaf's ssh shell relies on that when it runs a command in a thread it starts inside
 * {@code doAs}. {@link Subject#current()} is not inherited by new threads, so the subject is also kept in an
 * inheritable thread-local, which restores the old behaviour.
 */
public final class SubjectCompat {
    private static final InheritableThreadLocal<Subject> INHERITED = new InheritableThreadLocal<>();

    private SubjectCompat() {
        // static only
    }

    /**
     * Replaces {@code Subject.getSubject(acc)}: the subject of the current {@code callAs}, else the one inherited
     * from the thread that started this one inside {@code doAs}.
     *
     * @param ignored the access control context, meaningless on JDK 24+
     * @return the subject, or null
     */
    public static Subject getSubject(final AccessControlContext ignored) {
        final var current = Subject.current();
        return current != null ? current : INHERITED.get();
    }

    /**
     * Replaces {@code JaasHelper.doAs(Subject, PrivilegedAction)}.
     *
     * @param subject the subject to run as
     * @param action the action
     * @param <T> the result type
     * @return the action's result
     */
    public static <T> T doAs(final Subject subject, final PrivilegedAction<T> action) {
        final var previous = INHERITED.get();
        INHERITED.set(subject);
        try {
            return Subject.callAs(subject, action::run);
        } catch (CompletionException e) {
            throw rethrowUnchecked(e);
        } finally {
            restore(previous);
        }
    }

    /**
     * Replaces {@code JaasHelper.doAs(Subject, PrivilegedExceptionAction)}.
     *
     * @param subject the subject to run as
     * @param action the action
     * @param <T> the result type
     * @return the action's result
     * @throws PrivilegedActionException wrapping a checked exception of the action
     */
    // The wrapper only carries the action's exception, which is what PrivilegedActionException reports.
    @SuppressWarnings("checkstyle:AvoidHidingCauseException")
    public static <T> T doAs(final Subject subject, final PrivilegedExceptionAction<T> action)
            throws PrivilegedActionException {
        final var previous = INHERITED.get();
        INHERITED.set(subject);
        try {
            return Subject.callAs(subject, action::run);
        } catch (CompletionException e) {
            if (e.getCause() instanceof Exception checked && !(checked instanceof RuntimeException)) {
                throw new PrivilegedActionException(checked);
            }
            throw rethrowUnchecked(e);
        } finally {
            restore(previous);
        }
    }

    private static RuntimeException rethrowUnchecked(final CompletionException wrapper) {
        final var cause = wrapper.getCause();
        if (cause instanceof RuntimeException runtime) {
            return runtime;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        return wrapper;
    }

    private static void restore(final Subject previous) {
        if (previous == null) {
            INHERITED.remove();
        } else {
            INHERITED.set(previous);
        }
    }
}
