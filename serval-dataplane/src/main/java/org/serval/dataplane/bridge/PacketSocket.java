/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.bridge;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.ethernet.Offload;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Linux packet socket (AF_PACKET, SOCK_RAW, ETH_P_ALL) bound to one interface, through JNA: every frame that
 * arrives on the interface, whatever its protocol, and a way to send frames out of it.
 *
 * <p>Why a packet socket and not a TAP in a Linux bridge: it needs no bridge, no second interface and no
 * configuration outside SERVAL, works on any interface an operator names (a NIC, a veth, a bond), and costs one
 * copy per frame in each direction, as a TAP does.
 *
 * <p>What the kernel does to frames that SERVAL must undo or use:
 * <ul>
 * <li>802.1Q tags are usually taken off into metadata before a packet socket sees the frame; {@code PACKET_AUXDATA}
 *     gives them back ({@code tp_vlan_tci}, valid when {@code TP_STATUS_VLAN_VALID}).</li>
 * <li>Frames the node itself sends on the interface are seen too; {@code PACKET_IGNORE_OUTGOING} stops them, and
 *     the packet type in the source address drops any that still come (older kernels).</li>
 * <li>Receive offloads (GRO) hand over super-frames larger than the MTU, and frames from a local veth carry a
 *     checksum still to be completed; {@code PACKET_VNET_HDR} puts a {@code virtio_net_hdr} before each frame that
 *     says so, which becomes the frame's {@link Offload}, as for a client's TAP. Every frame sent then also starts
 *     with one (all zero: a plain frame).</li>
 * </ul>
 *
 * <p>A BPF program ({@link VidFilter}) keeps in the kernel the frames none of the interface's ports takes (other
 * vids on a trunk, tagged frames on an access port), so that they cost no copy and no wake-up.
 */
final class PacketSocket implements Wire {
    private static final Logger LOG = LoggerFactory.getLogger(PacketSocket.class);
    private static final int AF_PACKET = 17;
    private static final int SOCK_RAW = 3;
    private static final int ETH_P_ALL = 0x0003;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVBUF = 8;
    private static final int SO_RCVTIMEO = 20;
    private static final int SO_SNDTIMEO = 21;
    private static final int SO_ATTACH_FILTER = 26;
    private static final int SO_DETACH_FILTER = 27;
    // struct sock_fprog on 64-bit Linux: the length, padding, the pointer to the instructions
    private static final int SOCK_FPROG = 16;
    private static final int SOL_PACKET = 263;
    private static final int PACKET_AUXDATA = 8;
    private static final int PACKET_VNET_HDR = 15;
    private static final int PACKET_IGNORE_OUTGOING = 23;
    private static final int PACKET_OUTGOING = 4;
    private static final int TP_STATUS_VLAN_VALID = 1 << 4;
    private static final int MSG_TRUNC = 0x20;
    private static final int EAGAIN = 11;
    private static final int EINTR = 4;
    private static final int ENOBUFS = 105;
    private static final int EMSGSIZE = 90;
    private static final int ENETDOWN = 100;
    private static final int ENXIO = 6;
    private static final int SOCKADDR_LL = 20;
    private static final int SLL_PKTTYPE = 10;
    // struct msghdr and struct iovec on 64-bit Linux
    private static final int MSGHDR = 56;
    private static final int IOVEC = 16;
    private static final int CONTROL = 64;
    // struct cmsghdr's data, and tpacket_auxdata's fields in it
    private static final int CMSG_DATA = 16;
    private static final int VNET = Offload.BYTES;
    private static final int TAG = 4;
    private static final int MACS = 12;

    /**
     * The C library's calls, as JNA maps them (errno through {@link LastErrorException}).
     */
    private interface LibC extends Library {
        int socket(int domain, int type, int protocol) throws LastErrorException;

        int bind(int fd, Pointer address, int length) throws LastErrorException;

        int setsockopt(int fd, int level, int name, Pointer value, int length) throws LastErrorException;

        long recvmsg(int fd, Pointer message, int flags) throws LastErrorException;

        long send(int fd, Pointer buffer, long length, int flags) throws LastErrorException;

        int close(int fd) throws LastErrorException;

        int if_nametoindex(String name);
    }

    private static volatile LibC libc;

    private final int fd;
    private final ByteBufAllocator alloc;
    private final AtomicBoolean closed = new AtomicBoolean();
    // Native memory of the reading thread
    private final Memory message = new Memory(MSGHDR);
    private final Memory iovec = new Memory(IOVEC);
    private final Memory source = new Memory(SOCKADDR_LL);
    private final Memory control = new Memory(CONTROL);
    private final Memory in = new Memory(Bounds.BRIDGE_READ_BUFFER);
    // ... and of the writing thread
    private final Memory out = new Memory(VNET + Bounds.BRIDGE_MAX_FRAME + TAG);
    // JNA gives the buffer the machine's byte order; Ethernet's is big-endian
    private final ByteBuffer outBuffer = out.getByteBuffer(0, out.size()).order(ByteOrder.BIG_ENDIAN);

    private PacketSocket(final int fd, final ByteBufAllocator alloc) {
        this.fd = fd;
        this.alloc = alloc;
        iovec.setPointer(0, in);
        iovec.setLong(8, in.size());
        out.clear();
    }

    private static LibC libc() {
        var loaded = libc;
        if (loaded == null) {
            loaded = Native.load("c", LibC.class);
            libc = loaded;
        }
        return loaded;
    }

    /**
     * The interface's index, or 0 when there is no such interface.
     */
    static int indexOf(final String iface) {
        return libc().if_nametoindex(iface);
    }

    /**
     * Opens a packet socket on an interface.
     */
    static PacketSocket open(final String iface, final ByteBufAllocator alloc) throws IOException {
        final var lib = libc();
        final int index = lib.if_nametoindex(iface);
        if (index == 0) {
            throw new IOException("no interface " + iface);
        }
        final int protocol = Short.toUnsignedInt(Short.reverseBytes((short) ETH_P_ALL));
        final int fd;
        try {
            fd = lib.socket(AF_PACKET, SOCK_RAW, protocol);
        } catch (LastErrorException e) {
            throw new IOException("cannot open a packet socket (CAP_NET_RAW is needed): errno " + e.getErrorCode(), e);
        }
        try {
            setInt(lib, fd, SOL_PACKET, PACKET_AUXDATA, 1);
            setInt(lib, fd, SOL_PACKET, PACKET_VNET_HDR, 1);
            try {
                setInt(lib, fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, 1);
            } catch (LastErrorException e) {
                // before Linux 4.20: the packet type filters the node's own frames out instead
            }
            setInt(lib, fd, SOL_SOCKET, SO_RCVBUF, Bounds.BRIDGE_SOCKET_BUFFER);
            final var timeout = new Memory(16);
            timeout.setLong(0, 0);
            timeout.setLong(8, Bounds.BRIDGE_WAKE_MILLIS * 1000L);
            lib.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeout, 16);
            lib.setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, timeout, 16);
            // struct sockaddr_ll: family, protocol (network order), ifindex; the rest zero
            final var address = new Memory(SOCKADDR_LL);
            address.clear();
            address.setShort(0, (short) AF_PACKET);
            address.setShort(2, Short.reverseBytes((short) ETH_P_ALL));
            address.setInt(4, index);
            lib.bind(fd, address, SOCKADDR_LL);
        } catch (LastErrorException e) {
            closeQuietly(lib, fd);
            throw new IOException("cannot bind a packet socket to " + iface + ": errno " + e.getErrorCode(), e);
        }
        return new PacketSocket(fd, alloc);
    }

    private static void setInt(final LibC lib, final int fd, final int level, final int name, final int value) {
        final var memory = new Memory(4);
        memory.setInt(0, value);
        lib.setsockopt(fd, level, name, memory, 4);
    }

    @Override
    public Received receive() throws IOException {
        if (closed.get()) {
            throw new IOException("closed");
        }
        message.clear();
        message.setPointer(0, source);
        message.setInt(8, SOCKADDR_LL);
        message.setPointer(16, iovec);
        message.setLong(24, 1);
        message.setPointer(32, control);
        message.setLong(40, CONTROL);
        final long length;
        try {
            length = libc().recvmsg(fd, message, 0);
        } catch (LastErrorException e) {
            return switch (e.getErrorCode()) {
                // nothing came (the receive timeout), or a link that went down: the caller looks at the interface
                case EAGAIN, EINTR, ENETDOWN -> null;
                default -> throw new IOException("reading failed: errno " + e.getErrorCode(), e);
            };
        }
        if (Byte.toUnsignedInt(source.getByte(SLL_PKTTYPE)) == PACKET_OUTGOING) {
            return null;
        }
        if ((message.getInt(48) & MSG_TRUNC) != 0 || length < VNET) {
            return new Received(null, Received.NO_TAG, null, true);
        }
        int tci = Received.NO_TAG;
        final long controlLength = message.getLong(40);
        if (controlLength >= CMSG_DATA + 20 && control.getInt(8) == SOL_PACKET && control.getInt(12) == PACKET_AUXDATA
                && (control.getInt(CMSG_DATA) & TP_STATUS_VLAN_VALID) != 0) {
            tci = Short.toUnsignedInt(control.getShort(CMSG_DATA + 16));
        }
        final int flags = Byte.toUnsignedInt(in.getByte(0));
        final int gsoType = Byte.toUnsignedInt(in.getByte(1));
        final Offload offload = (flags & Offload.NEEDS_CSUM) == 0 && gsoType == Offload.GSO_NONE ? null
            : new Offload(flags, gsoType, Short.toUnsignedInt(in.getShort(2)), Short.toUnsignedInt(in.getShort(4)),
                Short.toUnsignedInt(in.getShort(6)), Short.toUnsignedInt(in.getShort(8)));
        final int frameLength = (int) length - VNET;
        final ByteBuf frame = alloc.directBuffer(frameLength);
        frame.writeBytes(in.getByteBuffer(VNET, frameLength));
        return new Received(frame, tci, offload, false);
    }

    @Override
    public boolean send(final ByteBuf frame, final int vid) throws IOException {
        if (closed.get()) {
            throw new IOException("closed");
        }
        final int length = frame.readableBytes();
        final int total = VNET + length + (vid > 0 ? TAG : 0);
        if (length < MACS + 2 || total > outBuffer.capacity()) {
            return false;
        }
        outBuffer.clear();
        // an all-zero virtio_net_hdr: a plain frame (the constructor zeroed it; nothing writes there)
        outBuffer.position(VNET);
        final int at = frame.readerIndex();
        if (vid > 0) {
            outBuffer.limit(VNET + MACS);
            frame.getBytes(at, outBuffer);
            outBuffer.limit(total);
            outBuffer.putShort((short) 0x8100);
            outBuffer.putShort((short) (vid & 0x0FFF));
            frame.getBytes(at + MACS, outBuffer);
        } else {
            outBuffer.limit(total);
            frame.getBytes(at, outBuffer);
        }
        try {
            return libc().send(fd, out, total, 0) == total;
        } catch (LastErrorException e) {
            return switch (e.getErrorCode()) {
                case EAGAIN, EINTR, ENOBUFS, EMSGSIZE, ENETDOWN, ENXIO -> false;
                default -> throw new IOException("writing failed: errno " + e.getErrorCode(), e);
            };
        }
    }

    /**
     * Attaches the BPF program for these vids (0: untagged), replacing the one before. If the kernel refuses it,
     * the socket is left without a filter, so that a port never misses its frames.
     */
    @Override
    public void carry(final Set<Integer> vids) {
        if (closed.get()) {
            return;
        }
        final var program = VidFilter.encode(VidFilter.program(vids));
        final var instructions = new Memory(program.remaining());
        instructions.getByteBuffer(0, program.remaining()).put(program);
        final var fprog = new Memory(SOCK_FPROG);
        fprog.clear();
        fprog.setShort(0, (short) (instructions.size() / VidFilter.BYTES_PER_INSN));
        fprog.setPointer(8, instructions);
        final var lib = libc();
        try {
            lib.setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, fprog, SOCK_FPROG);
        } catch (LastErrorException e) {
            LOG.info("The kernel refused the BPF filter for vids {} (errno {}); every frame is read and sorted",
                vids, e.getErrorCode());
            try {
                lib.setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, fprog, 4);
            } catch (LastErrorException none) {
                // no filter was attached
            }
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            closeQuietly(libc(), fd);
        }
    }

    private static void closeQuietly(final LibC lib, final int fd) {
        try {
            lib.close(fd);
        } catch (LastErrorException e) {
            // nothing left to free
        }
    }
}
