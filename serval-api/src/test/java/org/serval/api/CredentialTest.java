/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

class CredentialTest {
    private static final String CERT = "ab".repeat(32);
    private static final String OTHER_CERT = "cd".repeat(32);

    private static UserInfo alice(final String hash, final boolean enabled, final Set<String> certificates) {
        return new UserInfo("alice", hash, enabled, Set.of(), 8, 16, certificates);
    }

    @Test
    void aPasswordHoldsUntilTheHashChanges() {
        final var login = Credential.password("$pbkdf2-sha256$1000$old");
        assertTrue(login.holdsFor(alice("$pbkdf2-sha256$1000$old", true, Set.of(CERT))));
        assertTrue(login.holdsFor(alice("$pbkdf2-sha256$1000$old", true, Set.of())), "a certificate change is not "
            + "a password change");
        assertFalse(login.holdsFor(alice("$pbkdf2-sha256$1000$new", true, Set.of())));
        assertFalse(login.holdsFor(alice(null, true, Set.of())), "the password was removed");
        assertFalse(login.holdsFor(alice("$pbkdf2-sha256$1000$old", false, Set.of())), "disabled");
        assertFalse(login.holdsFor(null), "deleted");
        assertFalse(login.toString().contains("old"), "the hash is never printed");
    }

    @Test
    void aCertificateHoldsWhileItIsListed() {
        final var login = Credential.certificate(CERT);
        assertTrue(login.holdsFor(alice(null, true, Set.of(CERT, OTHER_CERT))));
        assertTrue(login.holdsFor(alice("$pbkdf2-sha256$1000$new", true, Set.of(CERT))), "a password change is not "
            + "a certificate change");
        assertFalse(login.holdsFor(alice(null, true, Set.of(OTHER_CERT))));
        assertFalse(login.holdsFor(alice(null, false, Set.of(CERT))), "disabled");
        assertFalse(Credential.certificate(null).holdsFor(alice(null, true, Set.of(CERT))));
    }
}
