/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.karaf.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.CodeModel;
import java.lang.classfile.instruction.InvokeInstruction;
import java.security.PrivilegedAction;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.security.auth.Subject;
import org.apache.karaf.jaas.boot.SubjectCompat;
import org.junit.jupiter.api.Test;

class SubjectCallRewriterTest {
    private static final String JAAS_HELPER = "org/apache/karaf/util/jaas/JaasHelper";

    private static byte[] karafClass(final String internalName) throws IOException {
        try (var in = SubjectCallRewriterTest.class.getClassLoader().getResourceAsStream(internalName + ".class")) {
            assertNotNull(in, internalName + " is on the test class path");
            return in.readAllBytes();
        }
    }

    private static List<String> staticCalls(final byte[] bytes) {
        final var calls = new ArrayList<String>();
        for (var method : ClassFile.of().parse(bytes).methods()) {
            method.findAttribute(java.lang.classfile.Attributes.code()).ifPresent(code -> {
                for (var element : (CodeModel) code) {
                    if (element instanceof InvokeInstruction invoke) {
                        calls.add(invoke.owner().asInternalName() + "." + invoke.name().stringValue());
                    }
                }
            });
        }
        return calls;
    }

    @Test
    void rewritesKarafsJaasHelper() throws IOException {
        final var original = karafClass(JAAS_HELPER);
        assertTrue(SubjectCallRewriter.isCandidate(JAAS_HELPER, original));
        assertTrue(staticCalls(original).contains("javax/security/auth/Subject.getSubject"));

        final var rewritten = SubjectCallRewriter.rewrite(getClass().getClassLoader(), original);
        assertNotNull(rewritten);
        final var calls = staticCalls(rewritten);
        assertFalse(calls.contains("javax/security/auth/Subject.getSubject"), calls.toString());
        assertFalse(calls.contains(JAAS_HELPER + ".doAs"), "runAs must not reach the old doAs: " + calls);
        assertTrue(calls.contains("org/apache/karaf/jaas/boot/SubjectCompat.getSubject"));
        assertTrue(calls.contains("org/apache/karaf/jaas/boot/SubjectCompat.doAs"));
    }

    @Test
    void leavesOtherClassesAlone() throws IOException {
        final var own = karafClass("org/serval/karaf/agent/KarafSubjectAgent");
        assertFalse(SubjectCallRewriter.isCandidate("org/serval/karaf/agent/KarafSubjectAgent", own));
        assertFalse(SubjectCallRewriter.isCandidate("com/example/Foo", karafClass(JAAS_HELPER)));
    }

    @Test
    void subjectReachesThreadsStartedInsideDoAs() throws InterruptedException {
        final var subject = new Subject();
        final var seenInChild = new AtomicReference<Subject>();
        final var seenInside = SubjectCompat.doAs(subject, (PrivilegedAction<Subject>) () -> {
            final var child = new Thread(() -> seenInChild.set(SubjectCompat.getSubject(null)));
            child.start();
            try {
                child.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return SubjectCompat.getSubject(null);
        });
        assertSame(subject, seenInside);
        assertSame(subject, seenInChild.get());
        assertNull(SubjectCompat.getSubject(null), "nothing leaks out of doAs");
    }

    @Test
    void checkedExceptionsAreWrappedAsBefore() {
        final var failure = new IOException("boom");
        final var thrown = assertThrows(PrivilegedActionException.class,
            () -> SubjectCompat.doAs(new Subject(), (PrivilegedExceptionAction<Object>) () -> {
                throw failure;
            }));
        assertSame(failure, thrown.getException());
        final var unchecked = assertThrows(IllegalStateException.class,
            () -> SubjectCompat.doAs(new Subject(), (PrivilegedAction<Object>) () -> {
                throw new IllegalStateException("bang");
            }));
        assertEquals("bang", unchecked.getMessage());
    }
}
