/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.security;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which TLS engine every SERVAL context uses: BoringSSL through netty-tcnative when its native library loads, the
 * JDK's {@code SSLEngine} otherwise. BoringSSL seals and opens about 1.6-1.9 times as fast as the JDK on this
 * project's machine (docs/performance.md) and needs no JIT warm-up, and every byte between two clients is sealed
 * and opened twice; the JDK engine is the fallback, so a platform without the native library still works.
 *
 * <p>The client ships the library for Linux x86_64; the server gets it from netty-tcnative's bundle, which
 * netty-handler imports optionally, and its fragment, which the Karaf feature installs on Linux x86-64 only.
 * {@code -Dserval.tls.provider=jdk} (or {@code openssl}) overrides the choice; {@code openssl} without the library
 * falls back to the JDK with a warning rather than refusing to start.
 */
public final class TlsProvider {
    public static final String PROPERTY = "serval.tls.provider";
    private static final Logger LOG = LoggerFactory.getLogger(TlsProvider.class);
    private static final SslProvider CHOSEN = choose(System.getProperty(PROPERTY, "auto"));

    private TlsProvider() {
    }

    /**
     * The engine for every context this JVM builds, chosen once.
     */
    public static SslProvider chosen() {
        return CHOSEN;
    }

    static SslProvider choose(final String wanted) {
        final var choice = wanted.trim().toLowerCase(Locale.ROOT);
        switch (choice) {
            case "jdk":
                LOG.info("TLS engine: JDK ({}=jdk)", PROPERTY);
                return SslProvider.JDK;
            case "auto":
            case "openssl":
                if (openSslUsable()) {
                    LOG.info("TLS engine: {} through netty-tcnative", OpenSsl.versionString());
                    return SslProvider.OPENSSL;
                }
                final var why = OpenSsl.isAvailable() ? "it lacks TLS 1.3"
                    : String.valueOf(OpenSsl.unavailabilityCause());
                if ("openssl".equals(choice)) {
                    LOG.warn("TLS engine: JDK, because OpenSSL was asked for but cannot be used: {}", why);
                } else {
                    LOG.info("TLS engine: JDK (OpenSSL not available: {})", why);
                }
                return SslProvider.JDK;
            default:
                LOG.warn("TLS engine: JDK, because {}={} is not one of auto, jdk, openssl", PROPERTY, wanted);
                return SslProvider.JDK;
        }
    }

    private static boolean openSslUsable() {
        try {
            return OpenSsl.isAvailable() && SslProvider.isTlsv13Supported(SslProvider.OPENSSL);
        } catch (LinkageError e) {
            // netty-tcnative's classes are absent (a class path or a Karaf without them): OpenSsl's own guard covers
            // the native library, not every class it links against
            return false;
        }
    }
}
