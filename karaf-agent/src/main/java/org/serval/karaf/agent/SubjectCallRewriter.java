/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.karaf.agent;

import edu.umd.cs.findbugs.annotations.SuppressFBWarnings;
import java.lang.System.Logger.Level;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.lang.classfile.Opcode;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.constant.ClassDesc;
import java.lang.instrument.ClassFileTransformer;
import java.nio.charset.StandardCharsets;
import java.security.ProtectionDomain;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Rewrites, in Karaf's own classes only, the calls that JDK 24+ no longer supports:
 * {@code Subject.getSubject(AccessControlContext)} (always throws since JEP 486) and Karaf's
 * {@code JaasHelper.doAs(...)} (carries the subject in an access control context nobody reads any more). Both are
 * redirected to {@code org.apache.karaf.jaas.boot.SubjectCompat}, whose methods take the same arguments, so each
 * rewrite swaps one {@code invokestatic} for another of the same size and stack effect.
 *
 * <p>Cheap for every other class: a class is parsed only if its name is Karaf's and its bytes mention the names
 * involved.
 */
final class SubjectCallRewriter implements ClassFileTransformer {
    static final String SUBJECT = "javax/security/auth/Subject";
    static final String JAAS_HELPER = "org/apache/karaf/util/jaas/JaasHelper";
    static final String GET_SUBJECT_TYPE = "(Ljava/security/AccessControlContext;)Ljavax/security/auth/Subject;";
    static final ClassDesc COMPAT = ClassDesc.ofInternalName("org/apache/karaf/jaas/boot/SubjectCompat");

    private static final System.Logger LOG = System.getLogger(SubjectCallRewriter.class.getName());
    private static final byte[] SUBJECT_BYTES = SUBJECT.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] GET_SUBJECT_BYTES = "getSubject".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] JAAS_HELPER_BYTES = JAAS_HELPER.getBytes(StandardCharsets.US_ASCII);

    private final AtomicInteger rewritten = new AtomicInteger();

    static boolean isCandidate(final String className, final byte[] bytes) {
        return className != null
            && (className.startsWith("org/apache/karaf/") || className.startsWith("org/apache/felix/eventadmin/"))
            && !className.startsWith("org/apache/karaf/jaas/boot/SubjectCompat")
            && contains(bytes, SUBJECT_BYTES)
            && (contains(bytes, GET_SUBJECT_BYTES) || contains(bytes, JAAS_HELPER_BYTES));
    }

    @Override
    @SuppressFBWarnings(value = "PZLA_PREFER_ZERO_LENGTH_ARRAYS", justification = "null means unchanged to the JVM")
    public byte[] transform(final ClassLoader loader, final String className, final Class<?> redefined,
            final ProtectionDomain domain, final byte[] bytes) {
        if (!isCandidate(className, bytes)) {
            return null;
        }
        try {
            final var result = rewrite(loader, bytes);
            if (result != null) {
                LOG.log(Level.DEBUG, "Rewrote Subject calls in {0} ({1} classes so far)", className,
                    rewritten.incrementAndGet());
            }
            return result;
        } catch (IllegalArgumentException | IllegalStateException | UnsupportedOperationException e) {
            LOG.log(Level.WARNING, "Left " + className + " as it was: cannot rewrite it", e);
            return null;
        }
    }

    /**
     * Returns the rewritten class, or null when it has no call to rewrite.
     */
    @SuppressFBWarnings(value = "PZLA_PREFER_ZERO_LENGTH_ARRAYS", justification = "null means unchanged to the JVM")
    static byte[] rewrite(final ClassLoader loader, final byte[] bytes) {
        final var resolver = loader == null ? ClassHierarchyResolver.defaultResolver()
            : ClassHierarchyResolver.defaultResolver().orElse(ClassHierarchyResolver.ofResourceParsing(loader));
        final var classFile = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(resolver));
        final var model = classFile.parse(bytes);
        final var changed = new boolean[1];
        final CodeTransform swap = (code, element) -> {
            if (element instanceof InvokeInstruction invoke && invoke.opcode() == Opcode.INVOKESTATIC) {
                final var owner = invoke.owner().asInternalName();
                final var name = invoke.name().stringValue();
                if (SUBJECT.equals(owner) && "getSubject".equals(name)
                        && GET_SUBJECT_TYPE.equals(invoke.type().stringValue())) {
                    code.invokestatic(COMPAT, "getSubject", invoke.typeSymbol());
                    changed[0] = true;
                    return;
                }
                if (JAAS_HELPER.equals(owner) && "doAs".equals(name)) {
                    code.invokestatic(COMPAT, "doAs", invoke.typeSymbol());
                    changed[0] = true;
                    return;
                }
            }
            code.with(element);
        };
        final var result = classFile.transformClass(model, ClassTransform.transformingMethodBodies(swap));
        return changed[0] ? result : null;
    }

    static boolean contains(final byte[] haystack, final byte[] needle) {
        outer:
        for (int i = 0, last = haystack.length - needle.length; i <= last; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
