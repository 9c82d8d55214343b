/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.serval.api.Credential;
import org.serval.api.UserInfo;
import org.serval.dataplane.Bounds;

/**
 * Resumption credentials: what they let in, everything they refuse, and that every secret comparison is the
 * constant-time one.
 */
class ResumptionTest {
    private static final String HASH = "$pbkdf2-sha256$1000$c2FsdA$aGFzaA";
    private static final String FINGERPRINT = "ab".repeat(32);
    private static final long NOW = 1_800_000_000L;

    private final AtomicLong clock = new AtomicLong(NOW);
    // every comparison of secret bytes, with the lengths compared
    private final List<String> comparisons = new ArrayList<>();
    private final Resumption resumption = new Resumption(clock::get, (a, b) -> {
        comparisons.add(a.length + "/" + b.length);
        return MessageDigest.isEqual(a, b);
    });

    private static byte[] key(final int fill) {
        final var key = new byte[Resumption.KEY_BYTES];
        Arrays.fill(key, (byte) fill);
        return key;
    }

    private static UserInfo alice(final String hash, final boolean enabled, final Set<String> certificates) {
        return new UserInfo("alice", hash, enabled, Set.of(), 8, 16, certificates);
    }

    private static UserInfo alice() {
        return alice(HASH, true, Set.of(FINGERPRINT));
    }

    private String issued() {
        resumption.replaceKeys(Map.of(1, key(1)));
        return resumption.issue("alice", "c1", Credential.password(HASH), resumption.expiryFromNow()).credential();
    }

    private String refusal(final String credential, final String user, final String clientId, final UserInfo now) {
        final var verdict = resumption.verify(credential, user, clientId, now);
        assertFalse(verdict.ok(), "refused");
        assertNull(verdict.credential());
        return verdict.refusal();
    }

    @Test
    void aCredentialLetsItsClientBackInOnTheUsersCurrentCredential() {
        assertNull(resumption.issue("alice", "c1", Credential.password(HASH), resumption.expiryFromNow()),
            "no key, no credential");
        resumption.replaceKeys(Map.of(1, key(1)));
        final var resume = resumption.issue("alice", "c1", Credential.password(HASH), resumption.expiryFromNow());
        assertEquals(Bounds.RESUME_LIFETIME_SECONDS, resume.lifetimeSeconds());
        assertTrue(resume.credential().matches("[A-Za-z0-9_-]+"), "URL-safe base64: " + resume.credential());
        final var verdict = resumption.verify(resume.credential(), "alice", "c1", alice());
        assertTrue(verdict.ok(), verdict.refusal());
        assertEquals(Credential.password(HASH), verdict.credential());
        assertEquals(NOW + Bounds.RESUME_LIFETIME_SECONDS, verdict.expiry());

        final var byCertificate = resumption.issue("alice", "c1", Credential.certificate(FINGERPRINT),
            resumption.expiryFromNow());
        final var user = alice(HASH, true, Set.of("cd".repeat(32), FINGERPRINT));
        assertEquals(Credential.certificate(FINGERPRINT),
            resumption.verify(byCertificate.credential(), "alice", "c1", user).credential());
    }

    @Test
    void resumingDoesNotLengthenTheLifetime() {
        final var first = issued();
        clock.addAndGet(3600);
        final var verdict = resumption.verify(first, "alice", "c1", alice());
        final var next = resumption.issue("alice", "c1", verdict.credential(), verdict.expiry());
        assertEquals(Bounds.RESUME_LIFETIME_SECONDS - 3600, next.lifetimeSeconds());
        clock.set(NOW + Bounds.RESUME_LIFETIME_SECONDS);
        assertTrue(refusal(next.credential(), "alice", "c1", alice()).contains("expired"));
        assertNull(resumption.issue("alice", "c1", verdict.credential(), verdict.expiry()), "none past the day");
    }

    @Test
    void everyRefusal() {
        final var credential = issued();
        assertTrue(refusal(credential, "bob", "c1", alice()).contains("issued to user alice client c1"));
        assertTrue(refusal(credential, "alice", "c2", alice()).contains("issued to user alice client c1"));
        assertTrue(refusal(credential, "alice", "c1", alice("$pbkdf2-sha256$1000$new$new", true, Set.of()))
            .contains("password was changed"));
        assertTrue(refusal(credential, "alice", "c1", alice(null, true, Set.of())).contains("password was changed"));
        assertTrue(refusal(credential, "alice", "c1", alice(HASH, false, Set.of())).contains("disabled"));
        assertTrue(refusal(credential, "alice", "c1", null).contains("no longer exists"));
        assertTrue(refusal("not base64!", "alice", "c1", alice()).contains("not base64url"));
        assertTrue(refusal("A".repeat(Bounds.RESUME_MAX_CHARS + 1), "alice", "c1", alice()).contains("longer"));
        assertTrue(refusal("AAAA", "alice", "c1", alice()).contains("layout"));

        final var byCertificate = resumption.issue("alice", "c1", Credential.certificate(FINGERPRINT),
            resumption.expiryFromNow()).credential();
        assertTrue(refusal(byCertificate, "alice", "c1", alice(HASH, true, Set.of("cd".repeat(32))))
            .contains("certificate was changed or removed"));

        clock.set(NOW + Bounds.RESUME_LIFETIME_SECONDS);
        assertTrue(refusal(credential, "alice", "c1", alice()).contains("expired"));
        clock.set(NOW);

        // another cluster's key (or one removed since), and a key held but not the one that signed
        resumption.replaceKeys(Map.of(2, key(2)));
        assertTrue(refusal(credential, "alice", "c1", alice()).contains("under key 1"));
        resumption.replaceKeys(Map.of(1, key(9)));
        assertTrue(refusal(credential, "alice", "c1", alice()).contains("forged"));
    }

    @Test
    void tamperingWithAnyBitOrCharacterIsRefused() {
        final var credential = issued();
        final var bytes = Base64.getUrlDecoder().decode(credential);
        final var encoder = Base64.getUrlEncoder().withoutPadding();
        int tried = 0;
        for (int i = 0; i < bytes.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                final var tampered = bytes.clone();
                tampered[i] ^= (byte) (1 << bit);
                assertFalse(resumption.verify(encoder.encodeToString(tampered), "alice", "c1", alice()).ok(),
                    "byte " + i + " bit " + bit);
                tried++;
            }
        }
        final var alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (int i = 0; i < credential.length(); i++) {
            final var other = alphabet.charAt((alphabet.indexOf(credential.charAt(i)) + 1) % alphabet.length());
            final var tampered = credential.substring(0, i) + other + credential.substring(i + 1);
            assertFalse(resumption.verify(tampered, "alice", "c1", alice()).ok(), "character " + i);
            tried++;
        }
        assertEquals(bytes.length * 8 + credential.length(), tried, "every bit and every character");
        assertTrue(resumption.verify(credential, "alice", "c1", alice()).ok(), "the original still holds");
    }

    @Test
    void secretsAreComparedInConstantTimeOnly() {
        final var credential = issued();
        comparisons.clear();
        assertTrue(resumption.verify(credential, "alice", "c1", alice()).ok());
        assertEquals(List.of("32/32", "16/16"), comparisons, "the tag, then the binding, whole");
        comparisons.clear();
        final var bytes = Base64.getUrlDecoder().decode(credential);
        bytes[bytes.length - 1] ^= 1;
        assertFalse(resumption.verify(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes), "alice", "c1",
            alice()).ok());
        assertEquals(List.of("32/32"), comparisons, "a forged tag is found by the same comparison");
    }

    @Test
    void keysRotate() {
        final var old = issued();
        resumption.replaceKeys(Map.of(1, key(1), 2, key(2)));
        assertEquals(2, resumption.issuingKey(), "the highest id issues");
        final var current = resumption.issue("alice", "c1", Credential.password(HASH), resumption.expiryFromNow())
            .credential();
        assertNotEquals(old, current);
        assertTrue(resumption.verify(old, "alice", "c1", alice()).ok(), "the retiring key still verifies");
        assertTrue(resumption.verify(current, "alice", "c1", alice()).ok());
        resumption.replaceKeys(Map.of(2, key(2), 3, new byte[8]));
        assertEquals(2, resumption.issuingKey(), "a key too short is left out");
        assertFalse(resumption.verify(old, "alice", "c1", alice()).ok(), "a key removed verifies nothing");
        assertTrue(resumption.verify(current, "alice", "c1", alice()).ok());
        final var many = new HashMap<Integer, byte[]>();
        for (int id = 1; id <= Bounds.RESUME_MAX_KEYS + 2; id++) {
            many.put(id, key(id));
        }
        resumption.replaceKeys(many);
        assertEquals(Bounds.RESUME_MAX_KEYS + 2, resumption.issuingKey());
        assertFalse(resumption.verify(old, "alice", "c1", alice()).ok(), "only the highest ids are held");
        resumption.replaceKeys(Map.of());
        assertEquals(-1, resumption.issuingKey());
        assertNotNull(current);
    }
}
