/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.openflow;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertFalse;
import static org.mockito.Mockito.mock;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendaylight.infrautils.diagstatus.DiagStatusService;
import org.opendaylight.mdsal.binding.dom.adapter.test.AbstractConcurrentDataBrokerTest;
import org.opendaylight.openflowjava.protocol.impl.core.SwitchConnectionProviderFactoryImpl;
import org.opendaylight.openflowjava.protocol.spi.connection.SwitchConnectionProvider;
import org.serval.dataplane.security.ServerIdentity;

/**
 * SERVAL's TLS listener as docs/openflow.md ("TLS") sets it up, on openflowjava's real switch connection provider:
 * a switch presenting a certificate from the trust store completes the mutual handshake and is greeted with
 * SERVAL's OpenFlow 1.3 HELLO; a switch without a certificate is not.
 */
public class OpenFlowTlsTest extends AbstractConcurrentDataBrokerTest {
    /** OpenFlow 1.3 HELLO as SERVAL sends it: version 4, type 0 (the rest, length and xid, vary). */
    private static final byte[] HELLO_START = {0x04, 0x00};

    @Rule
    public final TemporaryFolder folder = new TemporaryFolder();

    private OpenFlowSwitches switches;
    private SwitchConnectionProvider provider;
    private Path switchKeys;
    private Certificate controllerCertificate;
    private int port;

    public OpenFlowTlsTest() {
        super(true);
    }

    @Before
    public void start() throws Exception {
        final var dir = folder.getRoot().toPath();
        final var controllerKeys = dir.resolve("controller.p12");
        ServerIdentity.loadOrCreate(controllerKeys, "ctl-secret".toCharArray());
        switchKeys = dir.resolve("switch.p12");
        ServerIdentity.loadOrCreate(switchKeys, "sw-secret".toCharArray());
        controllerCertificate = certificate(controllerKeys, "ctl-secret");
        // the controller accepts switches whose certificate is in its trust store
        final var trust = dir.resolve("trust.p12");
        final var store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("switch", certificate(switchKeys, "sw-secret"));
        try (OutputStream out = Files.newOutputStream(trust)) {
            store.store(out, "trust-secret".toCharArray());
        }
        try (var probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        switches = new OpenFlowSwitches(getDomBroker(), "node-a");
        provider = new SwitchConnectionProviderFactoryImpl(mock(DiagStatusService.class)).newInstance(
            new ListenerSettings("127.0.0.1", port, new ListenerSettings.Tls(controllerKeys.toString(), "ctl-secret",
                trust.toString(), "trust-secret")).toConfig());
        provider.startup(switches).get(10, TimeUnit.SECONDS);
    }

    @After
    public void stop() throws Exception {
        if (provider != null) {
            provider.shutdown().get(10, TimeUnit.SECONDS);
        }
        if (switches != null) {
            switches.close();
        }
    }

    private static Certificate certificate(final Path keys, final String password) throws IOException,
            GeneralSecurityException {
        final var store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keys)) {
            store.load(in, password.toCharArray());
        }
        return store.getCertificate(ServerIdentity.ALIAS);
    }

    /** What a switch with these key managers reads first from SERVAL over TLS: two bytes, or what it got. */
    private byte[] firstBytes(final KeyManager[] keyManagers) throws Exception {
        final var trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("controller", controllerCertificate);
        final var trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trusted);
        final var context = SSLContext.getInstance("TLS");
        context.init(keyManagers, trustManagers.getTrustManagers(), null);
        try (var socket = (SSLSocket) context.getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            return socket.getInputStream().readNBytes(2);
        } catch (IOException e) {
            // refused during or right after the handshake
            return new byte[0];
        }
    }

    @Test
    public void aSwitchWithATrustedCertificateIsGreeted() throws Exception {
        final var keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(switchKeys)) {
            keys.load(in, "sw-secret".toCharArray());
        }
        final var keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, "sw-secret".toCharArray());
        assertArrayEquals(HELLO_START, firstBytes(keyManagers.getKeyManagers()));
    }

    @Test
    public void aSwitchWithoutACertificateIsNot() throws Exception {
        assertFalse(Arrays.equals(HELLO_START, firstBytes(null)));
    }
}
