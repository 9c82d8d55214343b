/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.bridge;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.serval.dataplane.Bounds;

/**
 * The classic BPF program a bridged interface's packet socket carries, so that the kernel hands SERVAL only the
 * frames one of its ports takes: on a trunk those tagged with a carried vid, on an access port the untagged ones.
 *
 * <p>It sorts frames exactly as {@link BridgedInterface#switchFrame} does, which stays the authority (frames read
 * before the program is attached, or by a kernel that refused it): a tag is the kernel's VLAN metadata when there
 * is one ({@code SKF_AD_VLAN_TAG_PRESENT}, {@code SKF_AD_VLAN_TAG}), otherwise an 802.1Q tag left in the frame; vid
 * 0 (a priority tag) counts as untagged, and the port of "untagged" is vid 0 in the set.
 *
 * <pre>
 *   ld  vlan_tag_present          ; the kernel took a tag off
 *   jeq #0, inFrame, 0
 *   ld  vlan_tag
 *   ja  vid
 * inFrame:
 *   ldh [12]                      ; EtherType
 *   jeq #0x8100, 1, 0
 *   ret #(untagged carried ? all : 0)
 *   ldh [14]                      ; the tag left in the frame
 * vid:
 *   and #0xfff
 *   per run of carried vids: jeq #v, 0, 1; ret #all   or   jge #lo, 0, 2; jgt #hi, 1, 0; ret #all
 *   ret #0
 * </pre>
 * Every jump is forward and short, so any set of vids fits the 8-bit jump offsets; only a set too scattered for
 * {@link Bounds#BRIDGE_FILTER_INSTRUCTIONS} gets the coarser program that passes every tagged frame.
 */
final class VidFilter {
    /**
     * One instruction: {@code struct sock_filter}.
     */
    record Insn(int code, int jt, int jf, int k) {
    }

    static final int LD_W_ABS = 0x20;
    static final int LD_H_ABS = 0x28;
    static final int ALU_AND_K = 0x54;
    static final int JA = 0x05;
    static final int JEQ_K = 0x15;
    static final int JGT_K = 0x25;
    static final int JGE_K = 0x35;
    static final int RET_K = 0x06;
    static final int SKF_AD_OFF = -0x1000;
    static final int SKF_AD_VLAN_TAG = 44;
    static final int SKF_AD_VLAN_TAG_PRESENT = 48;
    /** What {@code ret} gives for a frame taken: its whole length, however long (a GRO super-frame). */
    static final int ALL = -1;
    static final int BYTES_PER_INSN = 8;
    private static final int TPID_8021Q = 0x8100;
    private static final int VID_MASK = 0x0FFF;
    private static final int HEADER = 9;

    private VidFilter() {
    }

    /**
     * The program for a set of vids (0: untagged frames).
     */
    static List<Insn> program(final Set<Integer> vids) {
        final var sorted = new TreeSet<Integer>();
        for (var vid : vids) {
            if (vid < 0 || vid > VID_MASK) {
                throw new IllegalArgumentException("not a vid: " + vid);
            }
            sorted.add(vid);
        }
        final boolean untagged = sorted.contains(0);
        final var runs = new ArrayList<int[]>();
        for (var vid : sorted) {
            final var last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
            if (last != null && last[1] == vid - 1) {
                last[1] = vid;
            } else {
                runs.add(new int[] {vid, vid});
            }
        }
        int size = HEADER + 1;
        for (var run : runs) {
            size += run[0] == run[1] ? 2 : 3;
        }
        final var program = new ArrayList<Insn>();
        program.add(new Insn(LD_W_ABS, 0, 0, SKF_AD_OFF + SKF_AD_VLAN_TAG_PRESENT));
        program.add(new Insn(JEQ_K, 2, 0, 0));
        program.add(new Insn(LD_W_ABS, 0, 0, SKF_AD_OFF + SKF_AD_VLAN_TAG));
        program.add(new Insn(JA, 0, 0, 4));
        program.add(new Insn(LD_H_ABS, 0, 0, 12));
        program.add(new Insn(JEQ_K, 1, 0, TPID_8021Q));
        program.add(new Insn(RET_K, 0, 0, untagged ? ALL : 0));
        program.add(new Insn(LD_H_ABS, 0, 0, 14));
        program.add(new Insn(ALU_AND_K, 0, 0, VID_MASK));
        if (size > Bounds.BRIDGE_FILTER_INSTRUCTIONS) {
            // Too scattered to list: every tagged frame comes up and the Java side sorts the vids.
            program.add(new Insn(RET_K, 0, 0, ALL));
            return List.copyOf(program);
        }
        for (var run : runs) {
            if (run[0] == run[1]) {
                program.add(new Insn(JEQ_K, 0, 1, run[0]));
            } else {
                program.add(new Insn(JGE_K, 0, 2, run[0]));
                program.add(new Insn(JGT_K, 1, 0, run[1]));
            }
            program.add(new Insn(RET_K, 0, 0, ALL));
        }
        program.add(new Insn(RET_K, 0, 0, 0));
        return List.copyOf(program);
    }

    /**
     * A program as the kernel reads it: an array of {@code struct sock_filter} in the machine's byte order.
     */
    static ByteBuffer encode(final List<Insn> program) {
        final var bytes = ByteBuffer.allocate(program.size() * BYTES_PER_INSN).order(ByteOrder.nativeOrder());
        for (var insn : program) {
            bytes.putShort((short) insn.code()).put((byte) insn.jt()).put((byte) insn.jf()).putInt(insn.k());
        }
        return bytes.flip();
    }
}
