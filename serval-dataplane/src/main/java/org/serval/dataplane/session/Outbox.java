/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.session;

import io.netty.channel.Channel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.PlatformDependent;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.serval.dataplane.Throttle;
import org.serval.dataplane.protocol.Message;
import org.serval.dataplane.protocol.MessageCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flush consolidation for one link, a client's or another node's ({@code cluster/NodeLink}): the message type is
 * the link's ({@link Message} for clients), and a {@link Weigher} says what each message counts against the bound.
 * A switch forwards frame by frame, often from another client's event loop; a write and a flush per frame would
 * cost the receiving loop a task, a TLS record and a system call each. Here
 * frames queue instead, and one task on the link's loop writes all that queued and flushes once: a burst read
 * from one client leaves towards another as one TLS record (or one {@code sendmmsg}) and wakes its loop once.
 * Sends from the link's own loop are deferred to the task phase of the same loop turn, after the reads.
 *
 * <p>Bounded: the queued bytes, of frames and of every other message alike (weighed by their encoded length),
 * count against the link's writability, so a slow receiver makes the switch drop its frames before they pile up
 * here, and the session cuts off a client whose replies keep coming while it does not read ({@link Replies}).
 * A message the codec could not encode (longer than its type allows) is refused here with a log line, never handed
 * to the encoder, whose failure would end the connection as malformed.
 */
public final class Outbox<M> {
    /**
     * Where the queued messages go, on the link's loop.
     */
    public interface Sink<M> {
        /**
         * Writes without flushing; consumes the message.
         */
        void write(M message);

        /**
         * Flushes what {@link #write} wrote.
         */
        void flush();
    }

    /**
     * What a message counts against the outbox's bound: its bytes on the wire, or about that.
     */
    @FunctionalInterface
    public interface Weigher<M> {
        /**
         * The message's weight, or -1 for one the link's codec could not encode, which is refused.
         */
        int weight(M message);
    }

    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
    // A server bug, not an attack, but a client may be able to trigger it at will.
    private static final Throttle UNENCODABLE = new Throttle("Message refused, the codec could not encode it");

    // Small chunks: an idle client's queue costs a few hundred bytes, not the 4 KB of Netty's default chunk, which
    // ten thousand clients would feel. The bound that matters is the byte count below.
    private static final int CHUNK = 32;
    private static final int MAX_COUNT = 1 << 30;

    private final Queue<M> queue = PlatformDependent.newMpscQueue(CHUNK, MAX_COUNT);
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final EventExecutor loop;
    private final Sink<M> sink;
    private final Weigher<? super M> weigher;
    private final long maxBytes;
    private final Runnable drain = this::drain;

    /**
     * An outbox in front of a sink.
     *
     * @param loop the link's event loop, the only thread that calls the sink
     * @param maxBytes above this many queued bytes {@link #hasRoom()} is false
     */
    public Outbox(final EventExecutor loop, final Sink<M> sink, final long maxBytes,
            final Weigher<? super M> weigher) {
        this.loop = loop;
        this.sink = sink;
        this.maxBytes = maxBytes;
        this.weigher = weigher;
    }

    /**
     * An outbox of client protocol messages in front of a sink, weighing them by {@link #weight(Message)}.
     */
    public static Outbox<Message> of(final EventExecutor loop, final Sink<Message> sink, final long maxBytes) {
        return new Outbox<>(loop, sink, maxBytes, Outbox::weight);
    }

    /**
     * An outbox of client protocol messages in front of a channel, on its loop: writes to the channel and flushes
     * it.
     */
    public static Outbox<Message> forChannel(final Channel channel, final long maxBytes) {
        return forChannel(channel, maxBytes, Outbox::weight);
    }

    /**
     * An outbox in front of a channel whose encoder takes the messages, on its loop.
     */
    public static <M> Outbox<M> forChannel(final Channel channel, final long maxBytes,
            final Weigher<? super M> weigher) {
        return new Outbox<>(channel.eventLoop(), new Sink<M>() {
            @Override
            public void write(final M message) {
                // A closed channel fails the write, which releases the message.
                channel.write(message, channel.voidPromise());
            }

            @Override
            public void flush() {
                channel.flush();
            }
        }, maxBytes, weigher);
    }

    /**
     * Queues a message from any thread; it leaves with the next flush of this link.
     */
    public void send(final M message) {
        final int weight = weigher.weight(message);
        if (weight < 0) {
            UNENCODABLE.log(LOG, message.getClass().getSimpleName(), "longer than its type allows or a field too "
                + "long for its length prefix");
            ReferenceCountUtil.release(message);
            return;
        }
        queuedBytes.addAndGet(weight);
        queue.add(message);
        if (scheduled.compareAndSet(false, true)) {
            try {
                loop.execute(drain);
            } catch (RejectedExecutionException e) {
                // The loop is shutting down: nothing will drain, so nothing may stay.
                scheduled.set(false);
                discard();
            }
        }
    }

    /**
     * Whether the queue is below its bound.
     */
    public boolean hasRoom() {
        return queuedBytes.get() < maxBytes;
    }

    /**
     * Writes and flushes all that is queued; on the link's loop only. Callers that must be sure a last message
     * follows everything queued before it (a close) call this first.
     */
    public void drain() {
        // Cleared before polling: a send racing with this drain either is polled below or schedules another.
        scheduled.set(false);
        boolean wrote = false;
        for (M message = queue.poll(); message != null; message = queue.poll()) {
            queuedBytes.addAndGet(-weigher.weight(message));
            sink.write(message);
            wrote = true;
        }
        if (wrote) {
            sink.flush();
        }
    }

    /**
     * Releases all that is queued, for a link that has ended.
     */
    public void discard() {
        for (M message = queue.poll(); message != null; message = queue.poll()) {
            queuedBytes.addAndGet(-weigher.weight(message));
            ReferenceCountUtil.release(message);
        }
    }

    /**
     * What a client protocol message counts against the bound: a frame its bytes (the hot path, checked by the
     * codec when it was read), anything else its encoded length; -1 for a message that cannot be encoded (longer
     * than {@link MessageCodec#MAX_MESSAGE} or a field too long for its length prefix).
     */
    public static int weight(final Message message) {
        return message instanceof Message.Data data ? data.content().readableBytes()
            : MessageCodec.encodedLength(message);
    }

    /**
     * The bytes queued now.
     */
    public long queuedBytes() {
        return queuedBytes.get();
    }
}
