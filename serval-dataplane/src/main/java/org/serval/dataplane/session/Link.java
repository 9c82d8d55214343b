/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.session;

import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.security.TicketBook;

/**
 * What a {@link ClientSession} needs from its transport: a TCP connection, a UDP peer on a shared socket, and
 * later a TLS or DTLS one. Keeping the session behind this lets every transport share one implementation of the
 * protocol.
 */
public interface Link {
    /**
     * The transport's name as the registry shows it ({@code tcp}, {@code udp}).
     */
    String transport();

    /**
     * Where the client is, or null when unknown.
     */
    InetSocketAddress remote();

    /**
     * The one thread that runs this link's session.
     */
    EventExecutor executor();

    /**
     * Whether a frame sent now would be queued within bounds; when not, the session drops frames for this client.
     */
    boolean isWritable();

    /**
     * Sends one message, from any thread, consuming it (a Data message's frame is released by the write or at
     * once if the link is gone).
     */
    void send(Message message);

    /**
     * Sends one last message, then ends the link.
     */
    void sendAndClose(Message message);

    /**
     * Ends the link; the transport then calls {@link ClientSession#ended()}.
     */
    void close();

    /**
     * Whether the link is encrypted and the server authenticated to the client: TLS, or a sealed UDP session.
     */
    default boolean secure() {
        return false;
    }

    /**
     * Whether the transport can carry DATA_OFFLOAD: super-frames of up to 64 KB need a stream.
     */
    default boolean carriesOffload() {
        return false;
    }

    /**
     * The SHA-256 fingerprint of the certificate the client presented in its TLS handshake, or null.
     */
    default String clientCertificate() {
        return null;
    }

    /**
     * The ticket a sealed UDP session was opened with: the client authenticated when it was issued. Null for
     * other links.
     */
    default TicketBook.Issued ticket() {
        return null;
    }
}
