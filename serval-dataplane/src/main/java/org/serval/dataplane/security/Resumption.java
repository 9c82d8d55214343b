/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.security;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiPredicate;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.serval.api.Credential;
import org.serval.api.UserInfo;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.protocol.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resumption credentials (docs/protocol.md, "Resumption"; docs/security.md): issued at a login, they let the client
 * log in again at any node of the cluster without its password, which therefore never goes to a node the user did
 * not configure, and cost an HMAC to check instead of a PBKDF2 hash.
 *
 * <p>A credential is URL-safe base64 (no padding) of
 * {@code version:u8 (1)  key_id:u16  kind:u8 (1 password, 2 certificate)  expiry:u64 (Unix seconds)  user:str8
 * client_id:str8  binding:16 bytes  tag:32 bytes}: {@code binding} is HMAC-SHA256 under the key of the user's
 * credential at issue (the password hash, or the certificate's fingerprint), cut to 16 bytes, so a changed password
 * or a removed certificate refuses it; {@code tag} is HMAC-SHA256 under the key of everything before it, compared in
 * constant time. Keys are the cluster's (every node holds them; {@link #replaceKeys}): the highest key id issues,
 * every key held verifies, so a new key can be added, used, and the old one removed a lifetime later.
 *
 * <p>The expiry is fixed at the password or certificate login, {@link Bounds#RESUME_LIFETIME_SECONDS} later; the
 * credential a resumed login gets keeps it, so resuming never lengthens how long the user's last proof of its secret
 * counts. Expiry uses the nodes' wall clocks, which must agree to well within that (NTP).
 */
public final class Resumption {
    public static final int VERSION = 1;
    /** The key length: HMAC-SHA256's block of security. */
    public static final int KEY_BYTES = 32;
    static final int BINDING_BYTES = 16;
    static final int TAG_BYTES = 32;
    private static final int PASSWORD = 1;
    private static final int CERTIFICATE = 2;
    private static final String HMAC = "HmacSHA256";
    private static final byte[] BINDING_LABEL = "serval resume binding".getBytes(StandardCharsets.US_ASCII);
    private static final Logger LOG = LoggerFactory.getLogger(Resumption.class);
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    private static final ThreadLocal<Mac> MACS = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance(HMAC);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no " + HMAC, e);
        }
    });

    /**
     * What a credential proved: the user as it is now, the credential the resumed session stands on (the user's
     * current one, of the kind the first login used, so that revoking it ends the session), and the expiry the
     * next credential keeps. Or why it was refused, for the audit log only (the client is told what a wrong
     * password is told), and the error code: AUTH_FAILED, or LIMIT for a source refused unchecked.
     */
    public record Verdict(UserInfo user, Credential credential, long expiry, int errorCode, String refusal) {
        static Verdict refused(final String why) {
            return new Verdict(null, null, 0, Message.Error.AUTH_FAILED, why);
        }

        public boolean ok() {
            return user != null;
        }
    }

    /**
     * The keys, by id, and the id that issues (the highest).
     */
    private record Keys(Map<Integer, SecretKeySpec> byId, int issuing) {
    }

    private final LongSupplier clock;
    private final BiPredicate<byte[], byte[]> sameBytes;
    private volatile Keys keys = new Keys(Map.of(), -1);

    /**
     * Credentials on this node's clock, with no key yet: none issued, none accepted, until {@link #replaceKeys}.
     */
    public Resumption() {
        this(() -> System.currentTimeMillis() / 1000, MessageDigest::isEqual);
    }

    /**
     * With another clock (Unix seconds), and the comparison of secret bytes a test can watch.
     */
    Resumption(final LongSupplier clock, final BiPredicate<byte[], byte[]> sameBytes) {
        this.clock = clock;
        this.sameBytes = sameBytes;
    }

    /**
     * Replaces the cluster's keys (from the datastore's listener; any thread). Keys with an id outside 1..65535 or
     * shorter than {@value #KEY_BYTES} bytes are left out, with a warning, and so are all but the
     * {@link Bounds#RESUME_MAX_KEYS} highest ids.
     */
    public void replaceKeys(final Map<Integer, byte[]> secrets) {
        final var byId = new HashMap<Integer, SecretKeySpec>();
        int issuing = -1;
        final var ids = secrets.keySet().stream().sorted(Comparator.reverseOrder()).toList();
        for (var id : ids) {
            final var secret = secrets.get(id);
            if (id < 1 || id > 0xFFFF || secret == null || secret.length < KEY_BYTES
                    || byId.size() >= Bounds.RESUME_MAX_KEYS) {
                LOG.warn("Ignoring resumption key {}: ids are 1..65535, keys at least {} bytes, at most {} keys", id,
                    KEY_BYTES, Bounds.RESUME_MAX_KEYS);
                continue;
            }
            byId.put(id, new SecretKeySpec(secret, HMAC));
            issuing = Math.max(issuing, id);
        }
        keys = new Keys(Map.copyOf(byId), issuing);
    }

    /**
     * The id of the key that issues now, or -1 without keys.
     */
    public int issuingKey() {
        return keys.issuing();
    }

    /**
     * The expiry of a credential issued at a password or certificate login now.
     */
    public long expiryFromNow() {
        return clock.getAsLong() + Bounds.RESUME_LIFETIME_SECONDS;
    }

    /**
     * Issues a credential for a client that just logged in.
     *
     * @param credential what the client proved, or what a resumed credential stood on
     * @param expiry Unix seconds: {@link #expiryFromNow} at a password or certificate login, the resumed one's
     *     {@link Verdict#expiry} when resuming
     * @return the RESUME to send after WELCOME, or null without a key, a credential, or time left
     */
    public Message.Resume issue(final String user, final String clientId, final Credential credential,
            final long expiry) {
        final var current = keys;
        final long left = expiry - clock.getAsLong();
        if (current.issuing() < 0 || credential == null || credential.proof() == null || left <= 0) {
            return null;
        }
        final var key = current.byId().get(current.issuing());
        final var userBytes = user.getBytes(StandardCharsets.UTF_8);
        final var clientBytes = clientId.getBytes(StandardCharsets.UTF_8);
        if (userBytes.length > 255 || clientBytes.length > 255) {
            return null;
        }
        final int kind = credential.kind() == Credential.Kind.PASSWORD ? PASSWORD : CERTIFICATE;
        final var out = ByteBuffer.allocate(1 + 2 + 1 + 8 + 1 + userBytes.length + 1 + clientBytes.length
            + BINDING_BYTES + TAG_BYTES);
        out.put((byte) VERSION).putShort((short) current.issuing()).put((byte) kind).putLong(expiry)
            .put((byte) userBytes.length).put(userBytes).put((byte) clientBytes.length).put(clientBytes)
            .put(binding(key, kind, credential.proof()));
        out.put(hmac(key, out.array(), out.position()));
        return new Message.Resume(left, ENCODER.encodeToString(out.array()));
    }

    /**
     * Checks a credential a client sent with its HELLO: an HMAC or two, on the caller's thread.
     *
     * @param user the user the HELLO names
     * @param clientId the client id the HELLO names
     * @param current the user as it is now, or null when there is no such user
     */
    public Verdict verify(final String credential, final String user, final String clientId,
            final UserInfo current) {
        if (credential.length() > Bounds.RESUME_MAX_CHARS) {
            return Verdict.refused("a resumption credential longer than any this server issues");
        }
        final byte[] bytes;
        try {
            bytes = DECODER.decode(credential);
        } catch (IllegalArgumentException e) {
            return Verdict.refused("a resumption credential that is not base64url");
        }
        // one text per credential: base64 with stray bits in its last character is not one this server wrote
        if (!ENCODER.encodeToString(bytes).equals(credential)) {
            return Verdict.refused("a resumption credential that is not base64url as issued");
        }
        final var in = ByteBuffer.wrap(bytes);
        if (bytes.length < 1 + 2 + 1 + 8 + 1 + 1 + BINDING_BYTES + TAG_BYTES || in.get() != VERSION) {
            return Verdict.refused("a forged resumption credential (its layout)");
        }
        final int keyId = Short.toUnsignedInt(in.getShort());
        final int kind = in.get();
        final long expiry = in.getLong();
        final int userLength = Byte.toUnsignedInt(in.get());
        if (in.remaining() < userLength + 1) {
            return Verdict.refused("a forged resumption credential (its layout)");
        }
        final var issuedTo = new String(bytes, in.position(), userLength, StandardCharsets.UTF_8);
        in.position(in.position() + userLength);
        final int clientLength = Byte.toUnsignedInt(in.get());
        if (in.remaining() != clientLength + BINDING_BYTES + TAG_BYTES) {
            return Verdict.refused("a forged resumption credential (its layout)");
        }
        final var issuedFor = new String(bytes, in.position(), clientLength, StandardCharsets.UTF_8);
        in.position(in.position() + clientLength);
        final var binding = Arrays.copyOfRange(bytes, in.position(), in.position() + BINDING_BYTES);
        final int signed = in.position() + BINDING_BYTES;
        final var tag = Arrays.copyOfRange(bytes, signed, bytes.length);
        final var key = keys.byId().get(keyId);
        if (key == null) {
            return Verdict.refused("a resumption credential under key " + keyId + ", which this node does not hold");
        }
        if (!sameBytes.test(hmac(key, bytes, signed), tag)) {
            return Verdict.refused("a forged resumption credential (its tag)");
        }
        // Authentic from here on: what it says was said by a node of this cluster.
        if (expiry - clock.getAsLong() <= 0) {
            return Verdict.refused("an expired resumption credential");
        }
        if (!issuedTo.equals(user) || !issuedFor.equals(clientId)) {
            return Verdict.refused("a resumption credential issued to user " + issuedTo + " client " + issuedFor);
        }
        if (current == null) {
            return Verdict.refused("a resumption credential of a user that no longer exists");
        }
        if (!current.enabled()) {
            return Verdict.refused("a resumption credential of user " + user + ", who is disabled");
        }
        final Credential now = switch (kind) {
            case PASSWORD -> current.passwordHash() != null
                && sameBytes.test(binding(key, kind, current.passwordHash()), binding)
                ? Credential.password(current.passwordHash()) : null;
            case CERTIFICATE -> certificate(key, current, binding);
            default -> null;
        };
        if (now == null) {
            return Verdict.refused("a resumption credential whose " + (kind == PASSWORD ? "password" : "certificate")
                + " was changed or removed since it was issued");
        }
        return new Verdict(current, now, expiry, 0, null);
    }

    private Credential certificate(final SecretKeySpec key, final UserInfo current, final byte[] binding) {
        // A user has a few certificates; the credential does not carry the fingerprint, only its binding.
        for (var fingerprint : current.certificates()) {
            if (sameBytes.test(binding(key, CERTIFICATE, fingerprint), binding)) {
                return Credential.certificate(fingerprint);
            }
        }
        return null;
    }

    private static byte[] binding(final SecretKeySpec key, final int kind, final String proof) {
        final var mac = init(key);
        mac.update(BINDING_LABEL);
        mac.update((byte) kind);
        mac.update(Objects.requireNonNull(proof).getBytes(StandardCharsets.UTF_8));
        return Arrays.copyOf(mac.doFinal(), BINDING_BYTES);
    }

    private static byte[] hmac(final SecretKeySpec key, final byte[] bytes, final int length) {
        final var mac = init(key);
        mac.update(bytes, 0, length);
        return mac.doFinal();
    }

    private static Mac init(final SecretKeySpec key) {
        final var mac = MACS.get();
        try {
            mac.init(key);
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("an HMAC key that is not one", e);
        }
        return mac;
    }
}
