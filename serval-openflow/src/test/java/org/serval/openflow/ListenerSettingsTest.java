/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.openflow;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;

import org.junit.Test;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.config.rev140630.KeystoreType;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.config.rev140630.PathType;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.config.rev140630.TransportProtocol;

/**
 * The settings of etc/org.serval.controller.cfg as openflowjava's listener configuration: plain TCP, or mutual TLS
 * with PKCS#12 key and trust stores named by path.
 */
public class ListenerSettingsTest {
    @Test
    public void tcpOnTheConfiguredAddressAndPort() {
        final var config = new ListenerSettings("127.0.0.1", 6653, null).toConfig();
        assertEquals(TransportProtocol.TCP, config.getTransportProtocol());
        assertEquals("127.0.0.1", config.getAddress().getIpv4Address().getValue());
        assertEquals(6653, config.getPort().intValue());
        assertNull(config.getTls());
    }

    @Test
    public void tlsWithBothStores() {
        final var config = new ListenerSettings("::1", 6653, new ListenerSettings.Tls("/k/key.p12", "kpass",
            "/k/trust.p12", "tpass")).toConfig();
        assertEquals(TransportProtocol.TLS, config.getTransportProtocol());
        assertEquals("::1", config.getAddress().getIpv6Address().getValue());
        final var tls = config.getTls();
        assertEquals("/k/key.p12", tls.getKeystore());
        assertEquals(KeystoreType.PKCS12, tls.getKeystoreType());
        assertEquals(PathType.PATH, tls.getKeystorePathType());
        assertEquals("kpass", tls.getKeystorePassword());
        assertEquals("kpass", tls.getCertificatePassword());
        assertEquals("/k/trust.p12", tls.getTruststore());
        assertEquals(KeystoreType.PKCS12, tls.getTruststoreType());
        assertEquals("tpass", tls.getTruststorePassword());
    }

    @Test
    public void aHostNameIsRefused() {
        final var settings = new ListenerSettings("switches.example", 6653, null);
        assertThrows(IllegalArgumentException.class, settings::toConfig);
    }
}
