/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.karaf.agent;

import java.lang.instrument.Instrumentation;

/**
 * Entry point of the agent: {@code -javaagent:serval-karaf-agent.jar}, added by {@code bin/setenv} on JDK 24+.
 */
public final class KarafSubjectAgent {
    private KarafSubjectAgent() {
        // entry point only
    }

    /**
     * Installs the transformer when the JVM needs it.
     *
     * @param args ignored
     * @param instrumentation the JVM's instrumentation
     */
    public static void premain(final String args, final Instrumentation instrumentation) {
        if (Runtime.version().feature() >= 24) {
            instrumentation.addTransformer(new SubjectCallRewriter(), false);
        }
    }
}
