/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.security;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import javax.net.ssl.SSLException;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's TLS identity: a key and certificate from a PKCS#12 key store, which is created with a fresh
 * self-signed certificate (EC P-256, ten years) when it does not exist, so that a new installation is encrypted
 * from its first start. Clients pin its fingerprint or trust the CA that signed a configured certificate.
 */
public final class ServerIdentity {
    private static final Logger LOG = LoggerFactory.getLogger(ServerIdentity.class);
    public static final String ALIAS = "serval";
    static final String TLS_1_3 = "TLSv1.3";

    private final PrivateKey key;
    private final X509Certificate[] chain;
    private final String fingerprint;

    private ServerIdentity(final PrivateKey key, final X509Certificate[] chain) {
        this.key = key;
        this.chain = chain.clone();
        fingerprint = Fingerprints.of(chain[0]);
    }

    /**
     * Loads the key store, creating it first when it does not exist.
     *
     * @param password the key store's password (also the key's)
     */
    public static ServerIdentity loadOrCreate(final Path keyStore, final char[] password) throws IOException {
        try {
            if (!Files.exists(keyStore)) {
                create(keyStore, password);
            }
            final var store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keyStore)) {
                store.load(in, password);
            }
            var alias = ALIAS;
            if (!store.isKeyEntry(alias)) {
                alias = null;
                for (var aliases = store.aliases(); aliases.hasMoreElements();) {
                    final var candidate = aliases.nextElement();
                    if (store.isKeyEntry(candidate)) {
                        alias = candidate;
                        break;
                    }
                }
                if (alias == null) {
                    throw new IOException(keyStore + " holds no private key");
                }
            }
            final var certificates = store.getCertificateChain(alias);
            final var chain = new X509Certificate[certificates.length];
            for (int i = 0; i < chain.length; i++) {
                chain[i] = (X509Certificate) certificates[i];
            }
            return new ServerIdentity((PrivateKey) store.getKey(alias, password), chain);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use the key store " + keyStore + ": " + e.getMessage(), e);
        }
    }

    /**
     * A throwaway identity that lives in memory only: a new self-signed certificate for "localhost", for
     * connections a process makes to itself (the JIT warm-up).
     */
    public static ServerIdentity ephemeral() throws IOException {
        try {
            final var generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            final var pair = generator.generateKeyPair();
            return new ServerIdentity(pair.getPrivate(), new X509Certificate[] {selfSigned(pair, "localhost")});
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot make a throwaway certificate: " + e.getMessage(), e);
        }
    }

    private static void create(final Path keyStore, final char[] password) throws IOException,
            GeneralSecurityException {
        final var generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        final var pair = generator.generateKeyPair();
        final var certificate = selfSigned(pair, hostName());
        final var store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry(ALIAS, pair.getPrivate(), password, new X509Certificate[] { certificate });
        final var dir = keyStore.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        final var temp = Files.createTempFile(dir, ".serval-tls", ".p12");
        try {
            try {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                LOG.debug("{} has no POSIX permissions", dir);
            }
            try (OutputStream out = Files.newOutputStream(temp)) {
                store.store(out, password);
            }
            Files.move(temp, keyStore, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
        LOG.info("Created a self-signed certificate for {} in {}", hostName(), keyStore);
    }

    private static X509Certificate selfSigned(final KeyPair pair, final String host) throws GeneralSecurityException {
        final var subject = new X500Name("CN=SERVAL server " + host);
        final var now = Instant.now();
        final var names = new ArrayList<GeneralName>();
        names.add(new GeneralName(GeneralName.dNSName, host));
        names.add(new GeneralName(GeneralName.dNSName, "localhost"));
        names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
        final X509Certificate certificate;
        try {
            final var builder = new JcaX509v3CertificateBuilder(subject, new BigInteger(64, new SecureRandom()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(3650))), subject,
                pair.getPublic())
                .addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(names.toArray(GeneralName[]::new)));
            certificate = new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
        } catch (OperatorCreationException | CertIOException e) {
            throw new GeneralSecurityException("cannot sign the certificate", e);
        }
        return certificate;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /**
     * The SHA-256 fingerprint of the server's certificate, for clients to pin.
     */
    public String fingerprint() {
        return fingerprint;
    }

    /**
     * A TLS 1.3 server context. A client may present a certificate: it is not checked against a CA here but
     * matched by fingerprint against the certificates configured for the user it names (like SSH's authorized
     * keys); a client without one logs in with a password.
     */
    public SslContext serverContext() throws SSLException {
        return serverContext(ClientAuth.OPTIONAL, TlsProvider.chosen());
    }

    /**
     * The same context on a given engine rather than the one {@link TlsProvider} chose (benchmarks compare them).
     */
    public SslContext serverContext(final SslProvider engine) throws SSLException {
        return serverContext(ClientAuth.OPTIONAL, engine);
    }

    private SslContext serverContext(final ClientAuth clientAuth, final SslProvider engine) throws SSLException {
        return SslContextBuilder.forServer(key, chain)
            .sslProvider(engine)
            .protocols(TLS_1_3)
            .clientAuth(clientAuth)
            .trustManager(new AnyClientCertificate())
            .build();
    }

    /**
     * The accepting end of a link between nodes: TLS 1.3, and the other node must present its certificate, which
     * the link then matches against the node list (any certificate passes the handshake; the list decides).
     */
    public SslContext peerServerContext() throws SSLException {
        return serverContext(ClientAuth.REQUIRE, TlsProvider.chosen());
    }

    /**
     * The connecting end of a link to another node: this node's certificate, and trust in exactly the certificate
     * the node list gives for the other.
     */
    public SslContext peerClientContext(final String peerFingerprint) throws SSLException {
        return SslContextBuilder.forClient()
            .sslProvider(TlsProvider.chosen())
            .protocols(TLS_1_3)
            .trustManager(ServerTrust.pinned(peerFingerprint))
            .keyManager(key, chain)
            .build();
    }
}
