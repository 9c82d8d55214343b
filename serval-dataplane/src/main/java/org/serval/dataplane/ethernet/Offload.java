/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.ethernet;

/**
 * What a Linux TAP opened with {@code IFF_VNET_HDR} says about a frame (the fields of {@code virtio_net_hdr}): that
 * its transport checksum is still to be completed, and for a TCP segmentation offload (TSO) super-frame, the
 * segment size to cut it into. Carrying this end to end lets one frame of up to 64 KB cross the switch instead of
 * forty, and the receiving kernel do the cutting, or none at all when it delivers locally. docs/protocol.md,
 * "DATA_OFFLOAD".
 *
 * @param flags {@link #NEEDS_CSUM}, {@link #DATA_VALID}
 * @param gsoType {@link #GSO_NONE}, {@link #GSO_TCPV4} or {@link #GSO_TCPV6}, optionally with {@link #GSO_ECN}
 * @param hdrLen the length of the headers, a hint
 * @param gsoSize the payload bytes per segment (the MSS)
 * @param csumStart where the checksummed part starts, from the frame's first byte
 * @param csumOffset where the checksum field is, from {@code csumStart}
 */
public record Offload(int flags, int gsoType, int hdrLen, int gsoSize, int csumStart, int csumOffset) {
    public static final int NEEDS_CSUM = 1;
    public static final int DATA_VALID = 2;
    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    public static final int GSO_TCPV6 = 4;
    public static final int GSO_ECN = 0x80;
    /**
     * The header's size on the wire and at the TAP.
     */
    public static final int BYTES = 10;

    /**
     * Checks the header against the frame it describes.
     *
     * @return null when consistent, or why not
     */
    public String problemWith(final int frameLength) {
        if ((flags & ~(NEEDS_CSUM | DATA_VALID)) != 0) {
            return "unknown offload flags " + flags;
        }
        final int type = gsoType & ~GSO_ECN;
        if (type != GSO_NONE && type != GSO_TCPV4 && type != GSO_TCPV6
                || type == GSO_NONE && gsoType != GSO_NONE) {
            return "unknown segmentation type " + gsoType;
        }
        if ((flags & NEEDS_CSUM) != 0 && (csumStart < Segmenter.ETHERNET_HEADER
                || csumStart + csumOffset + 2 > frameLength)) {
            return "checksum at " + csumStart + "+" + csumOffset + " outside a frame of " + frameLength + " bytes";
        }
        if (type != GSO_NONE && ((flags & NEEDS_CSUM) == 0 || gsoSize == 0)) {
            return "segmentation without a checksum to complete or a segment size";
        }
        return null;
    }

    /**
     * Whether the frame is a super-frame to cut into segments.
     */
    public boolean segments() {
        return gsoType != GSO_NONE;
    }

    /**
     * Whether the frame's transport checksum is to be completed.
     */
    public boolean needsChecksum() {
        return (flags & NEEDS_CSUM) != 0;
    }
}
