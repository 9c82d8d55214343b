/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.AclAction;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.FloodAction;
import org.opendaylight.yang.gen.v1.urn.serval.yang.serval.rev261130.VlanOperation;
import org.serval.api.Checks;

/**
 * Turns what an operator types into the model's values, or throws {@link IllegalArgumentException} saying what to
 * type instead. No datastore access, so every rule here is unit-tested on its own.
 */
final class Values {
    /** A certificate file bigger than this is not a certificate; refusing it keeps a mistyped path harmless. */
    static final int MAX_CERTIFICATE_FILE_BYTES = 64 * 1024;

    private static final String PEM_BEGIN = "-----BEGIN CERTIFICATE-----";
    private static final String PEM_END = "-----END CERTIFICATE-----";

    private Values() {
        // static helpers
    }

    /**
     * A certificate's SHA-256 fingerprint as the users list stores it, from a fingerprint in any usual spelling
     * (upper case, colons, a {@code sha256:} prefix) or from a PEM or DER certificate file on the server.
     */
    static String fingerprint(final String given) {
        if (given == null || given.isBlank()) {
            throw new IllegalArgumentException("give a certificate's SHA-256 fingerprint or a certificate file");
        }
        final var path = Path.of(given);
        if (given.contains("/") || given.endsWith(".pem") || given.endsWith(".crt") || given.endsWith(".der")) {
            return fingerprintOf(path);
        }
        var hex = given.strip().toLowerCase(Locale.ROOT);
        if (hex.startsWith("sha256:")) {
            hex = hex.substring("sha256:".length());
        }
        return Checks.fingerprint(hex.replace(":", "").replace(" ", ""));
    }

    private static String fingerprintOf(final Path file) {
        final byte[] bytes;
        try {
            if (!Files.isRegularFile(file) || Files.size(file) > MAX_CERTIFICATE_FILE_BYTES) {
                throw new IllegalArgumentException("no certificate file " + file + " (a PEM or DER file of at most "
                    + MAX_CERTIFICATE_FILE_BYTES + " bytes)");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
        final var text = new String(bytes, StandardCharsets.US_ASCII);
        final int begin = text.indexOf(PEM_BEGIN);
        final int end = text.indexOf(PEM_END);
        byte[] der = bytes;
        if (begin >= 0 && end > begin) {
            try {
                der = Base64.getMimeDecoder().decode(text.substring(begin + PEM_BEGIN.length(), end));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + " holds a damaged PEM certificate", e);
            }
        }
        try {
            final var certificate = CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (CertificateException e) {
            throw new IllegalArgumentException(file + " is not an X.509 certificate: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /**
     * The operations of an access-control rule, from a list such as {@code join,create}.
     */
    static VlanOperation operations(final String given) {
        boolean create = false;
        boolean delete = false;
        boolean join = false;
        for (var word : given == null ? new String[0] : given.split("[, ]+")) {
            switch (word.toLowerCase(Locale.ROOT)) {
                case "create" -> create = true;
                case "delete" -> delete = true;
                case "join" -> join = true;
                case "" -> {
                    // a stray separator
                }
                default -> throw new IllegalArgumentException("unknown operation '" + word
                    + "': use create, delete or join, separated by commas");
            }
        }
        if (!create && !delete && !join) {
            throw new IllegalArgumentException("give at least one operation: create, delete or join");
        }
        return new VlanOperation(create, delete, join);
    }

    static String operations(final VlanOperation operations) {
        if (operations == null) {
            return "-";
        }
        final var names = new ArrayList<String>();
        if (operations.getCreate()) {
            names.add("create");
        }
        if (operations.getDelete()) {
            names.add("delete");
        }
        if (operations.getJoin()) {
            names.add("join");
        }
        return String.join(",", names);
    }

    static AclAction action(final String option, final String given) {
        final var action = given == null ? null : AclAction.forName(given.toLowerCase(Locale.ROOT));
        if (action == null) {
            throw new IllegalArgumentException(option + " '" + given + "' is not an action: use permit or deny");
        }
        return action;
    }

    static FloodAction floodAction(final String option, final String given) {
        final var action = given == null ? null : FloodAction.forName(given.toLowerCase(Locale.ROOT));
        if (action == null) {
            throw new IllegalArgumentException(option + " '" + given
                + "' is not a flood action: use forward, rate-limit or drop");
        }
        return action;
    }

    static boolean bool(final String option, final String given) {
        return switch (given == null ? "" : given.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException(option + " '" + given + "' is not true or false");
        };
    }

    /**
     * Inserts an element at a 1-based position of an ordered list (null: at the end), as rule lists and rules are
     * ordered: the first match decides.
     */
    static <T> List<T> insert(final List<T> list, final T element, final Integer position) {
        final var result = new ArrayList<>(list);
        if (position == null) {
            result.add(element);
        } else if (position < 1 || position > list.size() + 1) {
            throw new IllegalArgumentException("position " + position + " is out of range: use 1 to "
                + (list.size() + 1));
        } else {
            result.add(position - 1, element);
        }
        return result;
    }
}
