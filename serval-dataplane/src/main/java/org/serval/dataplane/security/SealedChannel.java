/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.security;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * One sealed UDP session's data channel (docs/protocol.md, "Sealed UDP"): every datagram is
 * {@code marker(1) session(4) counter(8) AES-256-GCM(message) tag(16)}, with the first 13 bytes as associated data
 * and the counter as the nonce. Each direction has its own key, from the ticket the server handed over TLS, and
 * its own counter, which never repeats; a receiver accepts each counter once, within a window ({@link ReplayWindow}).
 * A sender moves to the next key (HKDF-Expand of the current one, RFC 5869) after {@code rekeyMessages} datagrams
 * or {@code rekeyNanos}, flipping the marker's phase bit; the receiver follows and keeps the previous key for
 * datagrams that were overtaken. Old keys are not kept beyond that, so a key that leaks later opens no older
 * traffic.
 *
 * <p>A datagram whose marker has the path bit ({@link #PATH}) carries no message but a path challenge or response
 * ({@link #sealPath}): the return-routability check a server makes before it follows its client to a new address.
 * The marker is associated data, so nobody without the keys can turn one kind into the other.
 *
 * <p>Not thread-safe: each direction is used on one thread (its session's event loop).
 */
public final class SealedChannel {
    public static final int MARKER = 0x80;
    /** Marker bit: the datagram is a path challenge or response, not a message. */
    public static final int PATH = 0x02;
    /** What a path datagram carries: {@code kind(1) token(8)}. */
    public static final int PATH_CHALLENGE = 1;
    public static final int PATH_RESPONSE = 2;
    public static final int PATH_BYTES = 9;
    public static final int HEADER = 13;
    public static final int TAG = 16;
    public static final int OVERHEAD = HEADER + TAG;
    public static final long DEFAULT_REKEY_MESSAGES = 1L << 24;
    public static final long DEFAULT_REKEY_NANOS = TimeUnit.MINUTES.toNanos(10);
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private static final byte[] KEY_UPDATE_INFO = "serval key update\u0001".getBytes(StandardCharsets.US_ASCII);
    private static final ThreadLocal<Cipher> CIPHERS = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has AES-GCM", e);
        }
    });

    private final long session;
    private final long rekeyMessages;
    private final long rekeyNanos;
    private final ReplayWindow window = new ReplayWindow();

    private SecretKeySpec sendKey;
    private int sendPhase;
    private long sendCounter;
    private long sendPhaseStart;
    private long sendPhaseNanos;

    private SecretKeySpec receiveKey;
    private SecretKeySpec receivePrevious;
    private SecretKeySpec receiveNext;
    private int receivePhase;
    private long receivePhaseStart;

    private long forged;
    private long replayed;

    public SealedChannel(final long session, final byte[] sendKey, final byte[] receiveKey, final long rekeyMessages,
            final long rekeyNanos) {
        this.session = session;
        this.sendKey = aes(sendKey);
        this.receiveKey = aes(receiveKey);
        this.rekeyMessages = rekeyMessages;
        this.rekeyNanos = rekeyNanos;
        sendPhaseNanos = System.nanoTime();
    }

    /**
     * Whether a datagram is sealed: its first byte is a marker, never a protocol version (docs/protocol.md).
     */
    public static boolean isSealed(final ByteBuf datagram) {
        return datagram.readableBytes() >= OVERHEAD + 4
            && (datagram.getUnsignedByte(datagram.readerIndex()) & ~(PATH | 1) & 0xff) == MARKER;
    }

    /**
     * Whether a sealed datagram says it is a path challenge or response; to be believed only once it opens.
     */
    public static boolean isPath(final ByteBuf datagram) {
        return (datagram.getUnsignedByte(datagram.readerIndex()) & PATH) != 0;
    }

    /**
     * The token of an opened path datagram of the given kind, or empty when it is something else.
     */
    public static OptionalLong pathToken(final ByteBuf plain, final int kind) {
        if (plain.readableBytes() != PATH_BYTES || plain.getUnsignedByte(plain.readerIndex()) != kind) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(plain.getLong(plain.readerIndex() + 1));
    }

    /**
     * The session id of a sealed datagram.
     */
    public static long sessionOf(final ByteBuf datagram) {
        return datagram.getUnsignedInt(datagram.readerIndex() + 1);
    }

    public long session() {
        return session;
    }

    /**
     * Seals one encoded message, consuming it.
     */
    public ByteBuf seal(final ByteBufAllocator alloc, final ByteBuf message) {
        return sealWith(alloc, message, MARKER);
    }

    /**
     * Seals a path challenge or response ({@link #PATH_CHALLENGE}, {@link #PATH_RESPONSE}) with its token.
     */
    public ByteBuf sealPath(final ByteBufAllocator alloc, final int kind, final long token) {
        final var body = alloc.heapBuffer(PATH_BYTES).writeByte(kind).writeLong(token);
        return sealWith(alloc, body, MARKER | PATH);
    }

    private ByteBuf sealWith(final ByteBufAllocator alloc, final ByteBuf message, final int marker) {
        try {
            final long now = System.nanoTime();
            if (sendCounter - sendPhaseStart >= rekeyMessages || now - sendPhaseNanos >= rekeyNanos) {
                sendKey = aes(next(sendKey));
                sendPhase ^= 1;
                sendPhaseStart = sendCounter;
                sendPhaseNanos = now;
            }
            final long counter = ++sendCounter;
            final int length = message.readableBytes();
            final var out = alloc.directBuffer(OVERHEAD + length);
            try {
                out.writeByte(marker | sendPhase).writeInt((int) session).writeLong(counter);
                final var cipher = CIPHERS.get();
                cipher.init(Cipher.ENCRYPT_MODE, sendKey, nonce(counter));
                cipher.updateAAD(out.nioBuffer(0, HEADER));
                final var sealed = out.nioBuffer(HEADER, length + TAG);
                if (message.nioBufferCount() == 1) {
                    cipher.doFinal(message.nioBuffer(), sealed);
                } else {
                    // A frame behind its header (MessageCodec.toBuffer): sealed part by part, since one buffer
                    // of a composite would be a copy of it.
                    for (var part : message.nioBuffers()) {
                        cipher.update(part, sealed);
                    }
                    cipher.doFinal(EMPTY, sealed);
                }
                out.writerIndex(HEADER + sealed.position());
                return out;
            } catch (GeneralSecurityException e) {
                out.release();
                throw new IllegalStateException("AES-GCM failed to seal: " + e.getMessage(), e);
            }
        } finally {
            message.release();
        }
    }

    /**
     * Opens a sealed datagram of this session, leaving the caller's buffer alone.
     *
     * @return the message's bytes, or null when the datagram is forged, tampered with, replayed or too old
     */
    public ByteBuf open(final ByteBufAllocator alloc, final ByteBuf datagram) {
        final int start = datagram.readerIndex();
        final int length = datagram.readableBytes() - OVERHEAD;
        if (length < 0 || !isSealed(datagram) || sessionOf(datagram) != session) {
            forged++;
            return null;
        }
        final int phase = datagram.getUnsignedByte(start) & 1;
        final long counter = datagram.getLong(start + 5);
        if (!window.fresh(counter)) {
            replayed++;
            return null;
        }
        final SecretKeySpec key;
        final boolean advance;
        if (phase == receivePhase) {
            key = receiveKey;
            advance = false;
        } else if (counter < receivePhaseStart) {
            key = receivePrevious;
            advance = false;
        } else {
            if (receiveNext == null) {
                receiveNext = aes(next(receiveKey));
            }
            key = receiveNext;
            advance = true;
        }
        if (key == null) {
            forged++;
            return null;
        }
        final var out = alloc.directBuffer(Math.max(length, 1));
        try {
            final var cipher = CIPHERS.get();
            cipher.init(Cipher.DECRYPT_MODE, key, nonce(counter));
            cipher.updateAAD(datagram.nioBuffer(start, HEADER));
            final int written = cipher.doFinal(datagram.nioBuffer(start + HEADER, length + TAG),
                out.nioBuffer(0, out.capacity()));
            out.writerIndex(written);
        } catch (AEADBadTagException e) {
            out.release();
            forged++;
            return null;
        } catch (GeneralSecurityException e) {
            out.release();
            throw new IllegalStateException("AES-GCM failed to open", e);
        }
        window.accept(counter);
        if (advance) {
            receivePrevious = receiveKey;
            receiveKey = receiveNext;
            receiveNext = null;
            receivePhase = phase;
            receivePhaseStart = counter;
        }
        return out;
    }

    /**
     * Datagrams refused because they did not authenticate.
     */
    public long forged() {
        return forged;
    }

    /**
     * Datagrams refused because their counter was used before or is out of the window.
     */
    public long replayed() {
        return replayed;
    }

    private static GCMParameterSpec nonce(final long counter) {
        final var iv = new byte[12];
        for (int i = 0; i < 8; i++) {
            iv[4 + i] = (byte) (counter >>> 56 - 8 * i);
        }
        return new GCMParameterSpec(TAG * 8, iv);
    }

    private static SecretKeySpec aes(final byte[] key) {
        return new SecretKeySpec(key, "AES");
    }

    private static byte[] next(final SecretKeySpec key) {
        try {
            final var mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getEncoded(), "HmacSHA256"));
            return mac.doFinal(KEY_UPDATE_INFO);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has HMAC-SHA256", e);
        }
    }
}
