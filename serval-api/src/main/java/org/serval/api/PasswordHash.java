/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.api;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.atomic.LongAdder;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Slow salted password hashes in modular crypt format: {@code $pbkdf2-sha256$ITERATIONS$SALT$HASH}, salt and hash
 * in unpadded base64. PBKDF2 with HMAC-SHA-256 is in every JDK (FIPS-approved, no native code); its cost is the
 * iteration count, stored in the hash so that it can be raised without invalidating older hashes.
 */
public final class PasswordHash {
    public static final String PREFIX = "$pbkdf2-sha256$";
    // OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256.
    public static final int DEFAULT_ITERATIONS = 600_000;
    public static final int MAX_PASSWORD_LENGTH = 1024;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;
    private static final SecureRandom RANDOM = new SecureRandom();
    // Checked against when the user does not exist, so that an unknown user costs as long as a wrong password.
    // PBKDF2 iterations run so far in this JVM: what lets a test see that a refused unknown user cost a full hash.
    private static final LongAdder SPENT = new LongAdder();
    private static final String DUMMY = hash("serval-dummy".toCharArray(), DEFAULT_ITERATIONS);

    private PasswordHash() {
        // static only
    }

    public static String hash(final char[] password) {
        return hash(password, DEFAULT_ITERATIONS);
    }

    public static String hash(final char[] password, final int iterations) {
        if (password.length == 0 || password.length > MAX_PASSWORD_LENGTH) {
            throw new IllegalArgumentException("a password has 1 to " + MAX_PASSWORD_LENGTH + " characters");
        }
        final var salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        final var encoder = Base64.getEncoder().withoutPadding();
        return PREFIX + iterations + "$" + encoder.encodeToString(salt) + "$"
            + encoder.encodeToString(derive(password, salt, iterations));
    }

    /**
     * Checks a password against a stored hash in constant time. A stored value that is not such a hash (null,
     * garbage, a plain password typed into the datastore) never matches.
     */
    public static boolean verify(final char[] password, final String stored) {
        final var parts = stored == null || !stored.startsWith(PREFIX) ? null
            : stored.substring(PREFIX.length()).split("\\$", -1);
        if (parts == null || parts.length != 3 || password.length == 0 || password.length > MAX_PASSWORD_LENGTH) {
            burn(password);
            return false;
        }
        try {
            final int iterations = Integer.parseInt(parts[0]);
            if (iterations < 1 || iterations > 10_000_000) {
                return false;
            }
            final var decoder = Base64.getDecoder();
            final var expected = decoder.decode(parts[2]);
            final var actual = derive(password, decoder.decode(parts[1]), iterations);
            return expected.length == HASH_BITS / 8 && MessageDigest.isEqual(expected, actual);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Spends the time of one verification, for a user that does not exist.
     */
    public static void burn(final char[] password) {
        verifyDummy(password.length == 0 ? new char[] { ' ' } : password);
    }

    private static void verifyDummy(final char[] password) {
        final var parts = DUMMY.substring(PREFIX.length()).split("\\$");
        derive(Arrays.copyOf(password, Math.min(password.length, MAX_PASSWORD_LENGTH)),
            Base64.getDecoder().decode(parts[1]), Integer.parseInt(parts[0]));
    }

    /**
     * How many PBKDF2 iterations this JVM has run, for tests and metrics.
     */
    public static long iterationsSpent() {
        return SPENT.sum();
    }

    private static byte[] derive(final char[] password, final byte[] salt, final int iterations) {
        SPENT.add(iterations);
        final var spec = new PBEKeySpec(password, salt, iterations, HASH_BITS);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has PBKDF2WithHmacSHA256", e);
        } finally {
            spec.clearPassword();
        }
    }
}
