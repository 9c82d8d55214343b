/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client.tap;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * A Linux TAP interface through {@code /dev/net/tun}, with JNA for the few system calls Java lacks. Needs root or
 * CAP_NET_ADMIN. The interface exists while this object is open and disappears when it is closed or the process
 * dies, so a killed client leaves nothing behind.
 */
public final class LinuxTap implements TapDevice {
    /**
     * The C library calls we need. Errors come back as {@link LastErrorException} with errno.
     */
    interface LibC extends Library {
        int open(String path, int flags) throws LastErrorException;

        int close(int fd) throws LastErrorException;

        int ioctl(int fd, NativeLong request, Pointer arg) throws LastErrorException;

        int ioctl(int fd, NativeLong request, NativeLong arg) throws LastErrorException;

        NativeLong read(int fd, byte[] buffer, NativeLong count) throws LastErrorException;

        NativeLong write(int fd, byte[] buffer, NativeLong count) throws LastErrorException;

        int socket(int domain, int type, int protocol) throws LastErrorException;

        int fcntl(int fd, int cmd, int arg) throws LastErrorException;
    }

    static final Path TUN = Path.of("/dev/net/tun");
    // From <linux/if_tun.h>, <linux/sockios.h>, <net/if.h>, <fcntl.h>; the same on every Linux architecture we
    // build for (x86_64, aarch64).
    private static final long TUNSETIFF = 0x400454caL;
    private static final long TUNSETOFFLOAD = 0x400454d0L;
    private static final short IFF_VNET_HDR = 0x4000;
    // What the kernel may hand us: partial checksums and TCP super-frames of up to 64 KB (TSO).
    private static final long TUN_F_CSUM = 0x01;
    private static final long TUN_F_TSO4 = 0x02;
    private static final long TUN_F_TSO6 = 0x04;
    private static final long SIOCGIFFLAGS = 0x8913;
    private static final long SIOCSIFFLAGS = 0x8914;
    private static final long SIOCSIFMTU = 0x8922;
    private static final long SIOCSIFHWADDR = 0x8924;
    private static final short IFF_TAP = 0x0002;
    private static final short IFF_NO_PI = 0x1000;
    private static final short IFF_UP = 0x1;
    private static final short ARPHRD_ETHER = 1;
    private static final int O_RDWR = 2;
    private static final int O_NONBLOCK = 0x800;
    private static final int F_GETFL = 3;
    private static final int F_SETFL = 4;
    private static final int O_CLOEXEC = 0x80000;
    private static final int AF_INET = 2;
    private static final int SOCK_DGRAM = 2;
    // struct ifreq: a 16-byte name, then a 24-byte union (flags, mtu, or a sockaddr for the MAC).
    private static final int IFNAMSIZ = 16;
    private static final int IFREQ_SIZE = 40;

    private static final LibC LIBC = Native.load("c", LibC.class);

    private final String name;
    private final int fd;
    private final boolean offloads;
    private volatile boolean closed;

    private LinuxTap(final String name, final int fd, final boolean offloads) {
        this.name = name;
        this.fd = fd;
        this.offloads = offloads;
    }

    /**
     * Creates a TAP interface in the network namespace of the calling thread.
     *
     * @param requested a name, or a pattern with {@code %d} for the kernel to number, e.g. {@code serval%d}
     * @throws IOException with a message a person can act on (no /dev/net/tun, no permission, name taken)
     */
    public static LinuxTap create(final String requested) throws IOException {
        return create(requested, false);
    }

    /**
     * Creates a TAP interface, with offloads when asked: every frame read or written then starts with a
     * {@code virtio_net_hdr} ({@link #offloads()}), and the kernel hands out TCP super-frames and partial checksums.
     */
    public static LinuxTap create(final String requested, final boolean offload) throws IOException {
        if (requested.isEmpty() || requested.getBytes(StandardCharsets.US_ASCII).length >= IFNAMSIZ) {
            throw new IOException("interface name '" + requested + "' must have 1 to 15 characters");
        }
        if (!Files.exists(TUN)) {
            throw new IOException(TUN + " does not exist: load the tun module (modprobe tun) or run where TAP "
                + "devices are available");
        }
        final int fd;
        try {
            fd = LIBC.open(TUN.toString(), O_RDWR | O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new IOException("cannot open " + TUN + ": " + describe(e) + " (run as root or with CAP_NET_ADMIN)",
                e);
        }
        try (var ifr = new Memory(IFREQ_SIZE)) {
            ifr.clear();
            ifr.setString(0, requested, StandardCharsets.US_ASCII.name());
            ifr.setShort(IFNAMSIZ, (short) (IFF_TAP | IFF_NO_PI | (offload ? IFF_VNET_HDR : 0)));
            LIBC.ioctl(fd, new NativeLong(TUNSETIFF), ifr);
            if (offload) {
                LIBC.ioctl(fd, new NativeLong(TUNSETOFFLOAD), new NativeLong(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6));
            }
            return new LinuxTap(ifr.getString(0, StandardCharsets.US_ASCII.name()), fd, offload);
        } catch (LastErrorException e) {
            closeQuietly(fd);
            throw new IOException("cannot create TAP interface " + requested + ": " + describe(e), e);
        }
    }

    private static String describe(final LastErrorException error) {
        return switch (error.getErrorCode()) {
            case 1 -> "operation not permitted";
            case 13 -> "permission denied";
            case 16 -> "the name is in use by another device";
            case 22 -> "invalid argument";
            default -> "errno " + error.getErrorCode();
        };
    }

    private static void closeQuietly(final int fd) {
        try {
            LIBC.close(fd);
        } catch (LastErrorException e) {
            // nothing to do: the descriptor is gone either way
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean offloads() {
        return offloads;
    }

    @Override
    public OptionalInt pollableFd() throws IOException {
        try {
            LIBC.fcntl(fd, F_SETFL, LIBC.fcntl(fd, F_GETFL, 0) | O_NONBLOCK);
            return OptionalInt.of(fd);
        } catch (LastErrorException e) {
            throw new IOException("cannot make " + name + " non-blocking: " + describe(e), e);
        }
    }

    @Override
    public int read(final byte[] frame) throws IOException {
        try {
            return LIBC.read(fd, frame, new NativeLong(frame.length)).intValue();
        } catch (LastErrorException e) {
            throw new IOException("reading from " + name + ": " + describe(e), e);
        }
    }

    @Override
    public void write(final byte[] frame, final int length) throws IOException {
        if (length < 14 || length > frame.length) {
            throw new IOException("not an Ethernet frame: " + length + " bytes");
        }
        try {
            final long written = LIBC.write(fd, frame, new NativeLong(length)).longValue();
            if (written != length) {
                throw new IOException("short write to " + name + ": " + written + " of " + length + " bytes");
            }
        } catch (LastErrorException e) {
            throw new IOException("writing to " + name + ": " + describe(e), e);
        }
    }

    @Override
    public void setMac(final byte[] mac) throws IOException {
        if (mac.length != 6 || (mac[0] & 1) != 0) {
            throw new IOException("not a unicast MAC address");
        }
        socketIoctl(SIOCSIFHWADDR, "set the MAC address", ifr -> {
            ifr.setShort(IFNAMSIZ, ARPHRD_ETHER);
            ifr.write(IFNAMSIZ + 2, mac, 0, 6);
        });
    }

    @Override
    public void setMtu(final int mtu) throws IOException {
        socketIoctl(SIOCSIFMTU, "set the MTU", ifr -> ifr.setInt(IFNAMSIZ, mtu));
    }

    @Override
    public void setUp(final boolean up) throws IOException {
        final short[] flags = new short[1];
        socketIoctl(SIOCGIFFLAGS, "read the flags", ifr -> { }, ifr -> flags[0] = ifr.getShort(IFNAMSIZ));
        final short wanted = (short) (up ? flags[0] | IFF_UP : flags[0] & ~IFF_UP);
        socketIoctl(SIOCSIFFLAGS, up ? "bring it up" : "bring it down", ifr -> ifr.setShort(IFNAMSIZ, wanted));
    }

    private interface IfreqAction {
        void apply(Memory ifr);
    }

    private void socketIoctl(final long request, final String what, final IfreqAction fill) throws IOException {
        socketIoctl(request, what, fill, ifr -> { });
    }

    // Interface ioctls go through any socket; a datagram socket is the usual choice.
    private void socketIoctl(final long request, final String what, final IfreqAction fill, final IfreqAction result)
            throws IOException {
        final int sock;
        try {
            sock = LIBC.socket(AF_INET, SOCK_DGRAM, 0);
        } catch (LastErrorException e) {
            throw new IOException("cannot " + what + " of " + name + ": no socket: " + describe(e), e);
        }
        try (var ifr = new Memory(IFREQ_SIZE)) {
            ifr.clear();
            ifr.setString(0, name, StandardCharsets.US_ASCII.name());
            fill.apply(ifr);
            LIBC.ioctl(sock, new NativeLong(request), ifr);
            result.apply(ifr);
        } catch (LastErrorException e) {
            throw new IOException("cannot " + what + " of " + name + ": " + describe(e), e);
        } finally {
            closeQuietly(sock);
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            closeQuietly(fd);
        }
    }
}
