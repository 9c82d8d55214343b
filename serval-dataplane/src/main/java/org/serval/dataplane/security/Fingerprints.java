/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.security;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * SHA-256 certificate fingerprints: 64 lower-case hex digits, the form the YANG model stores and the server logs.
 */
public final class Fingerprints {
    private Fingerprints() {
        // static only
    }

    public static String of(final X509Certificate certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("certificate cannot be encoded", e);
        }
    }

    /**
     * Reads a fingerprint as people paste it: with or without a "sha256:" prefix, colons or spaces, in any case.
     *
     * @throws IllegalArgumentException when it is not 32 bytes of hex
     */
    public static String parse(final String text) {
        var hex = text.strip().toLowerCase(Locale.ROOT);
        if (hex.startsWith("sha256:")) {
            hex = hex.substring("sha256:".length());
        }
        hex = hex.replace(":", "").replace(" ", "");
        if (!hex.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("a SHA-256 fingerprint has 64 hex digits: '" + text + "'");
        }
        return hex;
    }

    /**
     * The fingerprint in the colon-separated form people compare by eye.
     */
    public static String display(final String fingerprint) {
        return "sha256:" + fingerprint;
    }

    /**
     * The fingerprint of the certificate the other end of a TLS session presented, or null when it presented none.
     */
    public static String ofPeer(final SSLEngine engine) {
        try {
            final var certificates = engine.getSession().getPeerCertificates();
            return certificates.length > 0 && certificates[0] instanceof X509Certificate x509 ? of(x509) : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }
}
