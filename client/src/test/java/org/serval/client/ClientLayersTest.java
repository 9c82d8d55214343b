/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The client shares a protocol layer with the server and nothing else (client/README.md, "May depend on"): its
 * bytecode refers to no class of the server's sessions, switching, cluster links or transports (but the JIT
 * warm-up), nor to the controller. A violation names the class and the line.
 */
class ClientLayersTest {
    @Test
    void theClientUsesOnlyTheSharedProtocolLayer() {
        final var classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.serval.client");
        final DescribedPredicate<JavaClass> serverSide = new DescribedPredicate<>(
                "the server's sessions, switching, cluster links, transports (but Warmup) or controller") {
            @Override
            public boolean test(final JavaClass target) {
                final var name = target.getPackageName() + ".";
                return name.startsWith("org.serval.dataplane.session.")
                    || name.startsWith("org.serval.dataplane.switching.")
                    || name.startsWith("org.serval.dataplane.cluster.")
                    || name.startsWith("org.serval.impl.")
                    || name.startsWith("org.serval.cli.")
                    || name.startsWith("org.opendaylight.")
                    || name.startsWith("org.serval.dataplane.transport.")
                        && !target.getName().startsWith("org.serval.dataplane.transport.Warmup");
            }
        };
        noClasses().that().resideInAPackage("org.serval.client..").should().dependOnClassesThat(serverSide)
            .check(classes);
    }

    /**
     * The GUI (docs/gui.md) sees the client only through its control socket, as the command line does: it refers
     * to nothing of the client but {@code control}, and only the command line's {@code gui} command refers to it.
     */
    @Test
    void theGuiSeesTheClientOnlyThroughTheControlSocket() {
        final var classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.serval");
        noClasses().that().resideInAPackage("org.serval.client.gui..").should().dependOnClassesThat(
                resideInAPackage("org.serval..").and(DescribedPredicate.not(
                    resideInAnyPackage("org.serval.client.gui..", "org.serval.client.control.."))))
            .check(classes);
        noClasses().that().resideOutsideOfPackages("org.serval.client.gui..", "org.serval.client.cli..")
            .should().dependOnClassesThat().resideInAPackage("org.serval.client.gui..")
            .check(classes);
    }
}
