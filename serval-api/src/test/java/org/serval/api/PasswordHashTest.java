/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PasswordHashTest {
    @Test
    void verifiesOnlyTheRightPassword() {
        final var hash = PasswordHash.hash("s3cret".toCharArray(), 1000);
        assertTrue(hash.startsWith("$pbkdf2-sha256$1000$"), hash);
        assertFalse(hash.contains("s3cret"));
        assertTrue(PasswordHash.verify("s3cret".toCharArray(), hash));
        assertFalse(PasswordHash.verify("s3cret ".toCharArray(), hash));
        assertFalse(PasswordHash.verify("S3cret".toCharArray(), hash));
        assertFalse(PasswordHash.verify(new char[0], hash));
    }

    @Test
    void saltsEveryHash() {
        assertNotEquals(PasswordHash.hash("same".toCharArray(), 1000), PasswordHash.hash("same".toCharArray(), 1000));
    }

    @Test
    void neverMatchesWhatIsNotAHash() {
        assertFalse(PasswordHash.verify("plain".toCharArray(), "plain"));
        assertFalse(PasswordHash.verify("x".toCharArray(), null));
        assertFalse(PasswordHash.verify("x".toCharArray(), "$pbkdf2-sha256$"));
        assertFalse(PasswordHash.verify("x".toCharArray(), "$pbkdf2-sha256$abc$AAAA$AAAA"));
        assertFalse(PasswordHash.verify("x".toCharArray(), "$pbkdf2-sha256$0$AAAA$AAAA"));
        assertFalse(PasswordHash.verify("x".toCharArray(), "$pbkdf2-sha256$1000$!!$AAAA"));
        final var hash = PasswordHash.hash("x".toCharArray(), 1000);
        assertFalse(PasswordHash.verify("x".toCharArray(), hash.substring(0, hash.length() - 2)), "truncated");
    }

    @Test
    void refusesEmptyAndHugePasswords() {
        assertThrows(IllegalArgumentException.class, () -> PasswordHash.hash(new char[0]));
        assertThrows(IllegalArgumentException.class, () -> PasswordHash.hash(new char[2000]));
    }

    @Test
    void anUnknownUserCostsWhatAWrongPasswordCosts() {
        final var stored = PasswordHash.hash("right".toCharArray());
        long before = PasswordHash.iterationsSpent();
        assertFalse(PasswordHash.verify("wrong".toCharArray(), stored));
        final long wrongPassword = PasswordHash.iterationsSpent() - before;
        before = PasswordHash.iterationsSpent();
        PasswordHash.burn("anything".toCharArray());
        final long unknownUser = PasswordHash.iterationsSpent() - before;
        assertEquals(PasswordHash.DEFAULT_ITERATIONS, wrongPassword);
        assertEquals(wrongPassword, unknownUser, "burn must run a full production-cost hash");
    }
}
