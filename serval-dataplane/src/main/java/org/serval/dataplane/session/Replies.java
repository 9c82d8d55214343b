/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.session;

import io.netty.util.ReferenceCountUtil;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.Throttle;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.MessageCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a session says to its client but frames: the replies the client provokes (KEEPALIVE_ACK, JOINED,
 * LEFT, VLANS, RESOLVED, ERROR, a repeated WELCOME) and what the server volunteers (NODES). They count against the
 * same bound as the client's frames, its link's writability; a frame beyond it is dropped, but a reply cannot be
 * (the client waits for it), so replies may overdraw the bound by {@link Bounds#REPLY_OVERDRAFT_BYTES}, and a client
 * that overdraws it has stopped reading while it keeps asking: it is disconnected, with one rate-limited log line,
 * instead of being buffered for. The overdraft is forgiven whenever the link is found writable again, so that a
 * client whose link a download keeps full is not cut off for a keepalive.
 *
 * <p>On the session's executor only.
 */
final class Replies {
    private static final Logger LOG = LoggerFactory.getLogger(Replies.class);
    // Any logged-in client can stop reading; the log says so at most once a second.
    private static final Throttle STALLED = new Throttle("Disconnected a client that stopped reading its replies");
    private static final long OVERDRAFT = Bounds.REPLY_OVERDRAFT_BYTES;

    private final Link link;
    private final Runnable cutOff;
    private long overdraft;
    private boolean cut;

    /**
     * The replies of one session.
     *
     * @param cutOff ends the session, once, when its client has overdrawn the bound
     */
    Replies(final Link link, final Runnable cutOff) {
        this.link = link;
        this.cutOff = cutOff;
    }

    /**
     * Sends a reply within the bound, consuming it.
     *
     * @param client the client id, for the log
     * @return false when the client was cut off instead (or had been): say nothing more to it
     */
    boolean send(final Message reply, final String client) {
        if (cut) {
            ReferenceCountUtil.release(reply);
            return false;
        }
        if (link.isWritable()) {
            overdraft = 0;
            link.send(reply);
            return true;
        }
        overdraft += Math.max(MessageCodec.encodedLength(reply), MessageCodec.HEADER);
        if (overdraft > OVERDRAFT) {
            cut = true;
            ReferenceCountUtil.release(reply);
            STALLED.log(LOG, link.remote(), "client " + client + " over " + link.transport() + ", " + overdraft
                + " bytes of replies beyond its link's bound");
            cutOff.run();
            return false;
        }
        link.send(reply);
        return true;
    }

    /**
     * Whether the client was cut off: its link is closing, and nothing it still sends is answered.
     */
    boolean isCut() {
        return cut;
    }
}
