/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.openflow;

import com.google.common.net.InetAddresses;
import java.net.InetAddress;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IetfInetUtil;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.config.rev140630.KeystoreType;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.config.rev140630.PathType;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.config.rev140630.TransportProtocol;
import org.opendaylight.yang.gen.v1.urn.opendaylight.params.xml.ns.yang.openflow._switch.connection.config.rev160506.SwitchConnectionConfig;
import org.opendaylight.yang.gen.v1.urn.opendaylight.params.xml.ns.yang.openflow._switch.connection.config.rev160506.SwitchConnectionConfigBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.params.xml.ns.yang.openflow._switch.connection.config.rev160506._switch.connection.config.ThreadsBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.params.xml.ns.yang.openflow._switch.connection.config.rev160506._switch.connection.config.TlsBuilder;
import org.opendaylight.yangtools.yang.common.Uint16;
import org.opendaylight.yangtools.yang.common.Uint32;
import org.serval.dataplane.Bounds;

/**
 * Where and how SERVAL listens for OpenFlow switches, as openflowjava's switch connection provider takes it.
 *
 * @param address the address to listen on (127.0.0.1 by default: an Open vSwitch on this host)
 * @param port the TCP port (6653, IANA's OpenFlow port)
 * @param tls the key and trust stores for TLS, or null for plain TCP
 */
public record ListenerSettings(String address, int port, Tls tls) {
    /**
     * TLS: SERVAL's key and certificate, and the certificates of the CAs whose switches it accepts (openflowjava
     * requires a client certificate of every switch). Both PKCS#12 files.
     */
    public record Tls(String keystore, String keystorePassword, String truststore, String truststorePassword) {
        @Override
        public String toString() {
            return "Tls[keystore=" + keystore + ", truststore=" + truststore + "]";
        }
    }

    /**
     * openflowjava's configuration of the listener.
     */
    public SwitchConnectionConfig toConfig() {
        final var builder = new SwitchConnectionConfigBuilder()
            .setInstanceName("serval")
            .setPort(Uint16.valueOf(port))
            .setTransportProtocol(tls == null ? TransportProtocol.TCP : TransportProtocol.TLS)
            .setChannelOutboundQueueSize(Uint16.valueOf(Bounds.OPENFLOW_OUTBOUND_QUEUE))
            .setUseBarrier(false)
            .setGroupAddModEnabled(false)
            .setSwitchIdleTimeout(Uint32.valueOf(Bounds.OPENFLOW_IDLE_MILLIS))
            .setThreads(new ThreadsBuilder().setBossThreads(Uint16.ONE).setWorkerThreads(Uint16.ONE).build());
        if (tls != null) {
            builder.setTls(new TlsBuilder()
                .setKeystore(tls.keystore()).setKeystoreType(KeystoreType.PKCS12).setKeystorePathType(PathType.PATH)
                .setKeystorePassword(tls.keystorePassword()).setCertificatePassword(tls.keystorePassword())
                .setTruststore(tls.truststore()).setTruststoreType(KeystoreType.PKCS12)
                .setTruststorePathType(PathType.PATH).setTruststorePassword(tls.truststorePassword())
                .build());
        }
        setAddress(builder, address);
        return builder.build();
    }

    private static void setAddress(final SwitchConnectionConfigBuilder builder, final String address) {
        final InetAddress inet;
        try {
            inet = InetAddresses.forString(address);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("openflow.address is not an IP address: " + address, e);
        }
        // openflowjava's own copy of the RFC 6991 types (mdsal 14's): this bundle imports no other
        builder.setAddress(IetfInetUtil.ipAddressFor(inet));
    }
}
