/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client.tap;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A thread that reads one TAP device in a loop and hands each frame to a sink: the way frames leave a TAP that no
 * event loop can poll (Windows, or Linux without native epoll). Frames shorter than an Ethernet header are skipped
 * (a device may hand out nothing, or a dropped frame, as 0). A read failure ends the loop and is reported once,
 * unless the loop was being stopped, when it is the expected way out of a blocked read.
 */
public final class TapReader {
    /**
     * Takes a frame read; the array is reused for the next read, so the sink copies what it keeps.
     */
    public interface Sink {
        void frame(byte[] frame, int length);
    }

    private static final int ETHERNET_HEADER = 14;

    private final TapDevice tap;
    private final Sink sink;
    private final Consumer<IOException> onFailure;
    private final Thread thread;
    private volatile boolean stopping;

    private TapReader(final TapDevice tap, final Sink sink, final Consumer<IOException> onFailure) {
        this.tap = tap;
        this.sink = sink;
        this.onFailure = onFailure;
        thread = new Thread(this::loop, "tap-" + tap.name());
        thread.setDaemon(true);
    }

    /**
     * Starts reading.
     *
     * @param onFailure told when a read fails while the reader was not being stopped
     */
    public static TapReader start(final TapDevice tap, final Sink sink, final Consumer<IOException> onFailure) {
        final var reader = new TapReader(tap, sink, onFailure);
        reader.thread.start();
        return reader;
    }

    private void loop() {
        final var frame = new byte[TapDevice.MAX_FRAME];
        try {
            while (!stopping) {
                final int length = tap.read(frame);
                if (length >= ETHERNET_HEADER && !stopping) {
                    sink.frame(frame, length);
                }
            }
        } catch (IOException e) {
            if (!stopping) {
                onFailure.accept(e);
            }
        }
    }

    /**
     * Makes the loop end at its next turn; the device's close is what ends a read that is waiting.
     */
    public void stop() {
        stopping = true;
    }

    /**
     * Waits for the thread to end, for at most this long.
     *
     * @return whether it ended
     */
    public boolean join(final long timeout, final TimeUnit unit) throws InterruptedException {
        thread.join(Math.max(1, unit.toMillis(timeout)));
        return !thread.isAlive();
    }
}
