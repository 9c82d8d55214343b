/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;

/**
 * The event loops of a transport, the same way for all: native epoll where available, one per core by default.
 */
public final class EventLoops {
    private EventLoops() {
        // static only
    }

    /**
     * How many loops a transport gets for a configured count; 0 means one per core.
     */
    public static int count(final int threads) {
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }

    public static EventLoopGroup create(final int threads, final boolean epoll) {
        return new MultiThreadIoEventLoopGroup(count(threads),
            epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }
}
