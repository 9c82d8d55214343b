/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client.tap;

import java.io.IOException;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A virtual Ethernet interface on this machine: frames written to it arrive at the operating system as if received
 * from a wire, and frames the operating system sends through it can be read. The client knows only this interface,
 * beside {@link LinuxTap} there is {@link org.serval.client.tap.windows.WindowsTap} (TAP-Windows6), and
 * {@link TapDevices} picks one by operating system.
 */
public interface TapDevice extends AutoCloseable {
    /**
     * The largest Ethernet frame a device hands out or accepts: 14 bytes of header and a 1500-byte payload, plus
     * room for an 802.1Q tag.
     */
    int MAX_FRAME = 1518;

    /**
     * The interface's name as the operating system shows it.
     */
    String name();

    /**
     * Reads one Ethernet frame (without preamble or FCS), blocking until one is there.
     *
     * @param frame where to put it, at least {@link #MAX_FRAME} bytes
     * @return its length
     * @throws IOException when the device is gone or closed
     */
    int read(byte[] frame) throws IOException;

    /**
     * Hands one Ethernet frame to the operating system.
     *
     * @throws IOException when the device is gone or closed
     */
    void write(byte[] frame, int length) throws IOException;

    /**
     * A file descriptor an event loop may poll for this device, switched to non-blocking mode; from then on
     * {@link #read} is not to be used. Empty when the device has none (the caller then reads from a thread).
     */
    default OptionalInt pollableFd() throws IOException {
        return OptionalInt.empty();
    }

    /**
     * Whether every frame read from or written to {@link #pollableFd()} starts with a {@code virtio_net_hdr}
     * (Linux {@code IFF_VNET_HDR}): the device then hands out TCP super-frames and partial checksums.
     */
    default boolean offloads() {
        return false;
    }

    /**
     * The MAC the interface has whatever {@link #setMac} asks for (TAP-Windows6: the one in the adapter's driver
     * properties), for the client to use instead of its own; empty when {@link #setMac} sets it (Linux).
     */
    default Optional<byte[]> fixedMac() {
        return Optional.empty();
    }

    /**
     * Sets the interface's MAC address.
     */
    void setMac(byte[] mac) throws IOException;

    /**
     * Sets the interface's MTU: the payload size the operating system may put in one frame.
     */
    void setMtu(int mtu) throws IOException;

    /**
     * Brings the interface up (or down).
     */
    void setUp(boolean up) throws IOException;

    /**
     * Removes the interface.
     */
    @Override
    void close() throws IOException;
}
