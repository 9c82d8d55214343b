/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.security;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;

/**
 * A client's key and certificate for a certificate login (HELLO auth method 2), from a PKCS#12 file.
 */
public final class ClientKeys {
    /**
     * Where a client finds the PKCS#12 file's password; empty when unset.
     */
    public static final String PASSWORD_VARIABLE = "SERVAL_CERT_PASSWORD";

    private ClientKeys() {
        // static only
    }

    /**
     * Loads the file with the password from {@link #PASSWORD_VARIABLE}.
     */
    public static KeyManagerFactory load(final Path file) throws IOException {
        final var env = System.getenv(PASSWORD_VARIABLE);
        final var password = env == null ? new char[0] : env.toCharArray();
        try (InputStream in = Files.newInputStream(file)) {
            final var store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            final var factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, password);
            return factory;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use the client certificate " + file + ": " + e.getMessage(), e);
        }
    }
}
