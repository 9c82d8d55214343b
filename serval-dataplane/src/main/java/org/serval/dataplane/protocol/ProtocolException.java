/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.protocol;

import io.netty.handler.codec.CorruptedFrameException;
import java.io.Serial;

/**
 * A message that breaks docs/protocol.md. A TCP connection that sends one is closed; a UDP datagram that is one is
 * dropped.
 */
public final class ProtocolException extends CorruptedFrameException {
    @Serial
    private static final long serialVersionUID = 1L;

    public ProtocolException(final String message) {
        super(message);
    }

    public ProtocolException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
