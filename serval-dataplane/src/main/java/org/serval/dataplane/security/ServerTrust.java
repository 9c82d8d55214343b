/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.security;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * How a client decides to trust its server: by a pinned certificate fingerprint, or by a CA (with the host name
 * checked), or not at all, in which case the handshake fails with a message that shows the fingerprint the server
 * presented, for the user to check and pin.
 */
public final class ServerTrust extends X509ExtendedTrustManager {
    private final String pin;
    private final X509ExtendedTrustManager authorities;
    // Other nodes of the pinned server's cluster, as the latest node list from a trusted node named them: each
    // fingerprint with the endpoints (host as dialled, port) its entries gave. Replaced whole by each list.
    private volatile Map<String, Set<InetSocketAddress>> cluster = Map.of();

    private ServerTrust(final String pin, final X509ExtendedTrustManager authorities) {
        this.pin = pin;
        this.authorities = authorities;
    }

    /**
     * Also trusts the other nodes of the cluster, each only where the node list says it is. The list came from a
     * server this trust had already accepted; it replaces whatever an earlier list trusted, so a node dropped from
     * the cluster is trusted no longer, and a fingerprint is trusted only from a connection to one of its own
     * endpoints (an unresolved host as the client dials it, and a port), never at another host or port. The pin
     * stays trusted as before. Without a pin (CA trust) the CA decides and this does nothing.
     *
     * @param endpoints fingerprint ({@link Fingerprints#parse} forms) to the endpoints of that node's entries
     * @throws IllegalArgumentException when a fingerprint is malformed
     */
    public void trustNodes(final Map<String, Set<InetSocketAddress>> endpoints) {
        if (pin != null) {
            final var copy = new HashMap<String, Set<InetSocketAddress>>();
            endpoints.forEach((fingerprint, where) -> copy.put(Fingerprints.parse(fingerprint), Set.copyOf(where)));
            cluster = Map.copyOf(copy);
        }
    }

    /**
     * Whether the node list gives this fingerprint to the endpoint the engine was made for (Netty's
     * {@code newHandler(alloc, host, port)}); without an engine the endpoint is unknown and the answer is no.
     */
    private boolean clusterTrusts(final String fingerprint, final SSLEngine engine) {
        final var where = cluster.get(fingerprint);
        if (where == null || engine == null || engine.getPeerHost() == null || engine.getPeerPort() < 1
                || engine.getPeerPort() > 65_535) {
            return false;
        }
        return where.contains(InetSocketAddress.createUnresolved(engine.getPeerHost(), engine.getPeerPort()));
    }

    /**
     * Trusts exactly the certificate with this SHA-256 fingerprint ({@link Fingerprints#parse} forms).
     */
    public static ServerTrust pinned(final String fingerprint) {
        return new ServerTrust(Fingerprints.parse(fingerprint), null);
    }

    /**
     * Trusts certificates signed by the CAs in a PEM file, for the host name the client connects to.
     */
    public static ServerTrust authorities(final Path pemFile) throws IOException {
        try (InputStream in = Files.newInputStream(pemFile)) {
            final var store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int count = 0;
            for (var cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca" + count++, cert);
            }
            if (count == 0) {
                throw new IOException(pemFile + " holds no certificate");
            }
            final var factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            for (var manager : factory.getTrustManagers()) {
                if (manager instanceof X509ExtendedTrustManager x509) {
                    return new ServerTrust(null, x509);
                }
            }
            throw new IOException("no X.509 trust manager in this JDK");
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read CA certificates from " + pemFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Trusts nothing; the handshake's failure says what the server presented.
     */
    public static ServerTrust nothing() {
        return new ServerTrust(null, null);
    }

    /**
     * A TLS 1.3 client context that trusts servers this way. With CAs the host name is checked too, which the
     * caller enables on the engine ({@link #checksHostName()}).
     */
    public SslContext clientContext() throws SSLException {
        return clientContext(null);
    }

    /**
     * The same, presenting the client certificate of a key manager (a certificate login), unless it is null.
     */
    public SslContext clientContext(final KeyManagerFactory keys) throws SSLException {
        return clientContext(keys, TlsProvider.chosen());
    }

    /**
     * The same on a given engine rather than the one {@link TlsProvider} chose (benchmarks compare them).
     */
    public SslContext clientContext(final KeyManagerFactory keys, final SslProvider engine) throws SSLException {
        return SslContextBuilder.forClient()
            .sslProvider(engine)
            .protocols(ServerIdentity.TLS_1_3)
            .trustManager(this)
            .keyManager(keys)
            .build();
    }

    public boolean checksHostName() {
        return authorities != null;
    }

    private void check(final X509Certificate[] chain, final String authType, final SSLEngine engine)
            throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the server presented no certificate");
        }
        final var fingerprint = Fingerprints.of(chain[0]);
        if (pin != null) {
            if (!pin.equals(fingerprint) && !clusterTrusts(fingerprint, engine)) {
                throw new CertificateException("the server's certificate is " + Fingerprints.display(fingerprint)
                    + (cluster.containsKey(fingerprint) ? ", which the node list gives to another host or port" : "")
                    + ", not the pinned " + Fingerprints.display(pin));
            }
            return;
        }
        if (authorities != null) {
            if (engine == null) {
                authorities.checkServerTrusted(chain, authType);
            } else {
                authorities.checkServerTrusted(chain, authType, engine);
            }
            return;
        }
        throw new CertificateException("the server's certificate " + Fingerprints.display(fingerprint)
            + " is not trusted: check it is your server's (its log says so at start) and pin it with --pin");
    }

    @Override
    public void checkServerTrusted(final X509Certificate[] chain, final String authType) throws CertificateException {
        check(chain, authType, null);
    }

    @Override
    public void checkServerTrusted(final X509Certificate[] chain, final String authType, final Socket socket)
            throws CertificateException {
        if (pin == null && authorities != null && chain != null && chain.length > 0) {
            // The socket carries the host name dialled, which the CA's trust manager checks as it does an engine's.
            authorities.checkServerTrusted(chain, authType, socket);
            return;
        }
        check(chain, authType, null);
    }

    @Override
    public void checkServerTrusted(final X509Certificate[] chain, final String authType, final SSLEngine engine)
            throws CertificateException {
        check(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(final X509Certificate[] chain, final String authType) throws CertificateException {
        throw new CertificateException("not for clients");
    }

    @Override
    public void checkClientTrusted(final X509Certificate[] chain, final String authType, final Socket socket)
            throws CertificateException {
        throw new CertificateException("not for clients");
    }

    @Override
    public void checkClientTrusted(final X509Certificate[] chain, final String authType, final SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("not for clients");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return authorities == null ? new X509Certificate[0] : authorities.getAcceptedIssuers();
    }
}
