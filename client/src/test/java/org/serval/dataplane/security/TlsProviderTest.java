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
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.OpenSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ResourceLeakDetector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Base64;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's TLS engine: the client ships BoringSSL for Linux x86_64 (this module's runtime class path), so its
 * contexts use it, and the pin still decides whom it trusts. The JDK engine stays a choice and the fallback.
 */
class TlsProviderTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void leaks() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    @Test
    void theClientSealsWithBoringSslWhereItsLibraryLoads() throws Exception {
        // CI and the packages are Linux x86_64: the library must load there, or the client silently loses speed
        assertEquals(SslProvider.OPENSSL, TlsProvider.chosen());
        final var server = ServerIdentity.ephemeral();
        assertInstanceOf(OpenSslContext.class, ServerTrust.pinned(server.fingerprint()).clientContext());
        assertInstanceOf(OpenSslContext.class, server.serverContext());
    }

    @Test
    void theJdkOnRequestAndForValuesItDoesNotKnow() {
        assertEquals(SslProvider.JDK, TlsProvider.choose("jdk"));
        assertEquals(SslProvider.JDK, TlsProvider.choose("gnutls"));
        assertEquals(SslProvider.OPENSSL, TlsProvider.choose(" OpenSSL "));
        assertEquals(SslProvider.OPENSSL, TlsProvider.choose("auto"));
    }

    @Test
    void underBoringSslThePinnedServerIsTrustedAndBytesCrossBothWays() throws Exception {
        final var server = ServerIdentity.ephemeral();
        final var pair = handshake(ServerTrust.pinned(server.fingerprint()).clientContext(), server.serverContext());
        assertTrue(pair.client().handshakeFuture().isSuccess(), () -> String.valueOf(pair.client().handshakeFuture()
            .cause()));
        assertEquals("TLSv1.3", pair.client().engine().getSession().getProtocol());
        assertEquals("hello server", carry(pair.clientChannel(), pair.serverChannel(), "hello server"));
        assertEquals("hello client", carry(pair.serverChannel(), pair.clientChannel(), "hello client"));
        pair.close();
    }

    @Test
    void underBoringSslAServerWithAnotherCertificateIsRefused() throws Exception {
        final var pinned = ServerIdentity.ephemeral();
        final var impostor = ServerIdentity.ephemeral();
        final var pair = handshake(ServerTrust.pinned(pinned.fingerprint()).clientContext(),
            impostor.serverContext());
        assertFalse(pair.client().handshakeFuture().isSuccess());
        assertInstanceOf(SSLHandshakeException.class, pair.client().handshakeFuture().cause());
        pair.close();
    }

    /**
     * With {@code --ca} the client checks the host name it dialled against the certificate: the engine carries the
     * endpoint and asks for HTTPS identification (as {@code Connection} sets it, and Netty 4.2's client contexts by
     * default), and {@code ServerTrust} hands the engine to the CA's trust manager, which checks the name. BoringSSL's
     * engine must give that manager what the JDK's does (red when ServerTrust drops the engine).
     */
    @Test
    void underBoringSslACaTrustChecksTheHostName() throws Exception {
        final var store = dir.resolve("serval.p12");
        final var server = ServerIdentity.loadOrCreate(store, "secret".toCharArray());
        // The server's self-signed certificate is its own CA; it names localhost.
        final var trust = ServerTrust.authorities(pem(store, "secret"));
        assertTrue(trust.checksHostName());

        final var named = handshake(trust.clientContext(), "localhost", server.serverContext());
        assertTrue(named.client().handshakeFuture().isSuccess(), () -> String.valueOf(named.client()
            .handshakeFuture().cause()));
        named.close();

        final var other = handshake(trust.clientContext(), "wrong.example", server.serverContext());
        assertFalse(other.client().handshakeFuture().isSuccess(), "localhost's certificate passed as wrong.example");
        assertInstanceOf(SSLHandshakeException.class, other.client().handshakeFuture().cause());
        other.close();
    }

    private static Path pem(final Path keyStore, final String password) throws Exception {
        final var store = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(keyStore)) {
            store.load(in, password.toCharArray());
        }
        final var encoded = Base64.getMimeEncoder(64, new byte[] {'\n'})
            .encodeToString(store.getCertificate(ServerIdentity.ALIAS).getEncoded());
        return Files.writeString(keyStore.resolveSibling("ca.pem"),
            "-----BEGIN CERTIFICATE-----\n" + encoded + "\n-----END CERTIFICATE-----\n");
    }

    // A refused handshake fails the handler's future, which the tests read; the channel need not rethrow it.
    private static final ChannelHandler QUIET = new Quiet();

    @ChannelHandler.Sharable
    private static final class Quiet extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
            // read from the handshake future instead
        }
    }

    // The client's handler as created: a refused handshake closes its channel, which empties the pipeline.
    private record Pair(EmbeddedChannel clientChannel, SslHandler client, EmbeddedChannel serverChannel) {
        void close() {
            clientChannel.finishAndReleaseAll();
            serverChannel.finishAndReleaseAll();
        }
    }

    private static Pair handshake(final SslContext clientContext, final SslContext serverContext) {
        return handshake(clientContext.newHandler(Unpooled.EMPTY_BUFFER.alloc()), serverContext);
    }

    // The engine as Connection makes it for a CA's trust: the endpoint as dialled, and the host name checked.
    private static Pair handshake(final SslContext clientContext, final String host, final SslContext serverContext) {
        final var handler = clientContext.newHandler(Unpooled.EMPTY_BUFFER.alloc(), host, 4000);
        final var parameters = handler.engine().getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        handler.engine().setSSLParameters(parameters);
        return handshake(handler, serverContext);
    }

    private static Pair handshake(final SslHandler handler, final SslContext serverContext) {
        final var client = new EmbeddedChannel(handler, QUIET);
        final var server = new EmbeddedChannel(serverContext.newHandler(Unpooled.EMPTY_BUFFER.alloc()), QUIET);
        for (int i = 0; i < 20 && !handler.handshakeFuture().isDone(); i++) {
            shuttle(client, server);
            shuttle(server, client);
        }
        // the client's last flight (its Finished) still has to reach the server
        shuttle(client, server);
        return new Pair(client, handler, server);
    }

    private static void shuttle(final EmbeddedChannel from, final EmbeddedChannel to) {
        for (Object record; (record = from.readOutbound()) != null; ) {
            if (to.isOpen()) {
                to.writeInbound(record);
            } else {
                ((ByteBuf) record).release();
            }
        }
        to.runPendingTasks();
        from.runPendingTasks();
    }

    private static String carry(final EmbeddedChannel from, final EmbeddedChannel to, final String text) {
        from.writeAndFlush(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        shuttle(from, to);
        final var out = new StringBuilder();
        for (ByteBuf plain; (plain = to.readInbound()) != null; ) {
            out.append(plain.toString(StandardCharsets.UTF_8));
            plain.release();
        }
        return out.toString();
    }
}
