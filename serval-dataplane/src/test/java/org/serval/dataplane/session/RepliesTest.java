/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.serval.api.LocalVlanView;
import org.serval.api.VlanInfo;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.MessageCodec;

/**
 * A client that keeps asking while it never reads: its replies count against its link's bound, and past that it is
 * disconnected instead of buffered for.
 */
class RepliesTest {
    // The reply bound is what these tests prove: the request rate, which would cut the flood off first, is lifted.
    private static final int UNLIMITED = 1_000_000_000;
    // A link that holds this much is full, as a TCP channel past its high water mark is.
    private static final long LINK_BOUND = 64 * 1024;

    /**
     * A link whose client never reads: what is sent stays, counted, until the test drains it.
     */
    private static final class StuckLink implements Link {
        final ConcurrentLinkedQueue<Message> held = new ConcurrentLinkedQueue<>();
        final AtomicLong bytes = new AtomicLong();
        long most;
        volatile boolean closed;
        ClientSession session;

        @Override
        public String transport() {
            return "tcp";
        }

        @Override
        public InetSocketAddress remote() {
            return new InetSocketAddress("127.0.0.1", 40000);
        }

        @Override
        public EventExecutor executor() {
            return ImmediateEventExecutor.INSTANCE;
        }

        @Override
        public boolean isWritable() {
            return !closed && bytes.get() < LINK_BOUND;
        }

        @Override
        public void send(final Message message) {
            if (closed) {
                ReferenceCountUtil.release(message);
                return;
            }
            held.add(message);
            most = Math.max(most, bytes.addAndGet(MessageCodec.encodedLength(message)));
        }

        @Override
        public void sendAndClose(final Message message) {
            send(message);
            close();
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                session.ended();
            }
        }

        void drain() {
            held.forEach(ReferenceCountUtil::release);
            held.clear();
            bytes.set(0);
        }
    }

    private final LocalVlanView view = new LocalVlanView();
    private final ViewRegistry registry = new ViewRegistry(view);
    private final Dataplane dataplane = new Dataplane(
        DataplaneSettings.defaults("n1").withRequestsPerSecond(UNLIMITED), view, registry, TestUsers.gatekeeper());

    private StuckLink loggedIn(final String id) throws InterruptedException {
        final var link = new StuckLink();
        link.session = new ClientSession(dataplane, link);
        link.session.receive(TestUsers.hello(id));
        // the password is checked on the login pool; the WELCOME comes from there
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (link.held.stream().noneMatch(Message.Welcome.class::isInstance) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(link.held.stream().anyMatch(Message.Welcome.class::isInstance), link.held.toString());
        return link;
    }

    @Test
    void aClientThatProvokesRepliesButNeverReadsIsCutOffWithBoundedBytes() throws Exception {
        final var link = loggedIn("stuck");
        for (int i = 0; i < 100_000; i++) {
            link.session.receive(new Message.Keepalive(i));
        }
        assertTrue(link.closed, "disconnected, not buffered for");
        // the link's own bound, the overdraft, and the one reply that crossed it
        assertTrue(link.most <= LINK_BOUND + Bounds.REPLY_OVERDRAFT_BYTES + MessageCodec.MAX_MESSAGE,
            link.most + " bytes queued");
        assertTrue(registry.events.contains("disconnected stuck error"), registry.events.toString());
        assertFalse(view.isKnownClient("stuck"));
    }

    @Test
    void anyProvokedReplyCountsNotOnlyKeepalives() throws Exception {
        final var link = loggedIn("asker");
        // VLANS pages are the largest reply a client can ask for
        for (int i = 0; i < 100; i++) {
            view.putVlan(new VlanInfo("v" + "x".repeat(60) + String.format("%03d", i), 100 + i, "",
                256, true, null));
        }
        for (int i = 0; i < 100_000 && !link.closed; i++) {
            link.session.receive(new Message.ListVlans(i, ""));
        }
        assertTrue(link.closed);
        assertTrue(link.most <= LINK_BOUND + Bounds.REPLY_OVERDRAFT_BYTES + MessageCodec.MAX_MESSAGE,
            link.most + " bytes queued");
    }

    @Test
    void aClientThatReadsAgainIsForgivenItsOverdraft() throws Exception {
        final var link = loggedIn("slow");
        // the link full (a download, say) and some replies beyond it, short of the overdraft...
        long seq = 0;
        for (int round = 0; round < 5; round++) {
            while (link.isWritable()) {
                link.session.receive(new Message.Keepalive(seq++));
            }
            for (int i = 0; i < Bounds.REPLY_OVERDRAFT_BYTES / 2 / 8; i++) {
                link.session.receive(new Message.Keepalive(seq++));
            }
            assertFalse(link.closed, "round " + round);
            // ...then the client reads what waited: the next reply finds the link writable
            link.drain();
            link.session.receive(new Message.Keepalive(seq++));
        }
        assertFalse(link.closed, "each time within the overdraft, five times its size in all");
        assertEquals(new Message.KeepaliveAck(seq - 1), link.held.peek());
        link.drain();
    }
}
