/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.serval.dataplane.Bounds;

/**
 * The vid filter's programs, run by a small classic-BPF interpreter written from the kernel's documentation
 * (filter.txt), on frames whose tag is in the kernel's metadata or still in the frame: a trunk's program takes its
 * vids only, an access port's untagged and priority-tagged frames only, whatever the set's shape.
 */
class VidFilterTest {
    private static final int NO_TAG = -1;

    /**
     * Runs a program as the kernel would on one frame; returns what {@code ret} gave (0: dropped).
     */
    private static int run(final List<VidFilter.Insn> program, final byte[] frame, final int tci) {
        final var data = ByteBuffer.wrap(frame).order(ByteOrder.BIG_ENDIAN);
        int acc = 0;
        int pc = 0;
        for (int steps = 0; steps <= program.size(); steps++) {
            final var insn = program.get(pc);
            final int code = insn.code();
            final int k = insn.k();
            switch (code & 0x07) {
                case 0x00 -> {
                    // BPF_LD | size | BPF_ABS
                    assertEquals(0x20, code & 0xE0, "only absolute loads");
                    if (k < 0) {
                        final int ancillary = k + 0x1000;
                        acc = switch (ancillary) {
                            case 44 -> tci == NO_TAG ? 0 : tci;
                            case 48 -> tci == NO_TAG ? 0 : 1;
                            default -> throw new AssertionError("ancillary load " + ancillary);
                        };
                    } else {
                        final int size = switch (code & 0x18) {
                            case 0x00 -> 4;
                            case 0x08 -> 2;
                            default -> 1;
                        };
                        if (k + size > frame.length) {
                            // a load past the end: the kernel drops the frame
                            return 0;
                        }
                        acc = size == 4 ? data.getInt(k) : size == 2 ? Short.toUnsignedInt(data.getShort(k))
                            : Byte.toUnsignedInt(data.get(k));
                    }
                    pc++;
                }
                case 0x04 -> {
                    assertEquals(0x50, code & 0xF0, "only AND");
                    acc &= k;
                    pc++;
                }
                case 0x05 -> {
                    final int op = code & 0xF0;
                    if (op == 0x00) {
                        pc += 1 + k;
                    } else {
                        final boolean taken = switch (op) {
                            case 0x10 -> acc == k;
                            case 0x20 -> Integer.compareUnsigned(acc, k) > 0;
                            case 0x30 -> Integer.compareUnsigned(acc, k) >= 0;
                            default -> throw new AssertionError("jump " + op);
                        };
                        assertTrue(insn.jt() >= 0 && insn.jt() < 256 && insn.jf() >= 0 && insn.jf() < 256);
                        pc += 1 + (taken ? insn.jt() : insn.jf());
                    }
                }
                case 0x06 -> {
                    return k;
                }
                default -> throw new AssertionError("instruction " + code);
            }
            assertTrue(pc > 0 && pc < program.size(), "jumps stay inside the program");
        }
        throw new AssertionError("the program did not end");
    }

    private static byte[] untagged() {
        final var frame = new byte[60];
        frame[12] = 0x08;
        return frame;
    }

    private static byte[] inFrame(final int tci) {
        final var frame = new byte[64];
        frame[12] = (byte) 0x81;
        frame[14] = (byte) (tci >>> 8);
        frame[15] = (byte) tci;
        frame[16] = 0x08;
        return frame;
    }

    private static boolean takes(final List<VidFilter.Insn> program, final byte[] frame, final int tci) {
        return run(program, frame, tci) != 0;
    }

    /**
     * Which vids (1..4094) a program takes, tagged in metadata and in the frame; both must agree.
     */
    private static Set<Integer> taken(final List<VidFilter.Insn> program) {
        final var taken = new HashSet<Integer>();
        for (int vid = 1; vid < 4095; vid++) {
            // a priority in the top bits, as a real tag may carry
            final int tci = 0xA000 | vid;
            final boolean meta = takes(program, untagged(), tci);
            assertEquals(meta, takes(program, inFrame(tci), NO_TAG), "vid " + vid + " in the frame as in metadata");
            if (meta) {
                taken.add(vid);
            }
        }
        return taken;
    }

    @Test
    void aTrunkTakesItsVidsOnly() {
        final var program = VidFilter.program(Set.of(10, 20, 21, 22, 4094));
        assertEquals(Set.of(10, 20, 21, 22, 4094), taken(program));
        assertFalse(takes(program, untagged(), NO_TAG), "untagged frames stay in the kernel");
        assertFalse(takes(program, untagged(), 0), "priority-tagged ones too");
        assertFalse(takes(program, inFrame(0), NO_TAG));
        assertEquals(-1, run(program, untagged(), 10), "a frame taken is taken whole");
    }

    @Test
    void anAccessPortTakesUntaggedFramesOnly() {
        final var program = VidFilter.program(Set.of(0));
        assertEquals(Set.of(), taken(program));
        assertTrue(takes(program, untagged(), NO_TAG));
        assertTrue(takes(program, untagged(), 0x6000), "a priority tag in metadata");
        assertTrue(takes(program, inFrame(0x6000), NO_TAG), "a priority tag in the frame");
        assertFalse(takes(program, new byte[6], NO_TAG), "a runt has no EtherType");
    }

    @Test
    void theMetadataWinsOverATagInTheFrame() {
        // a double-tagged frame: the kernel took the outer tag off, the inner one is the frame's
        final var program = VidFilter.program(Set.of(10));
        assertTrue(takes(program, inFrame(20), 10));
        assertFalse(takes(program, inFrame(10), 20));
    }

    @Test
    void nothingCarriedTakesNothing() {
        final var program = VidFilter.program(Set.of());
        assertEquals(Set.of(), taken(program));
        assertFalse(takes(program, untagged(), NO_TAG));
    }

    @Test
    void anySetFitsTheKernelsLimit() {
        final var all = IntStream.rangeClosed(1, 4094).boxed().collect(Collectors.toSet());
        final var full = VidFilter.program(all);
        assertEquals(all, taken(full));
        final var odd = IntStream.rangeClosed(1, 4094).filter(vid -> vid % 2 == 1).boxed().collect(Collectors.toSet());
        final var scattered = VidFilter.program(odd);
        assertTrue(scattered.size() <= Bounds.BRIDGE_FILTER_INSTRUCTIONS);
        // too scattered to list: every tagged frame comes up, none untagged
        assertEquals(all, taken(scattered));
        assertFalse(takes(scattered, untagged(), NO_TAG));
        final var listed = IntStream.rangeClosed(1, 2000).filter(vid -> vid % 3 == 0).boxed()
            .collect(Collectors.toSet());
        final var program = VidFilter.program(listed);
        assertTrue(program.size() <= Bounds.BRIDGE_FILTER_INSTRUCTIONS);
        assertEquals(listed, taken(program));
    }

    @Test
    void encodesSockFilterStructs() {
        final var bytes = VidFilter.encode(List.of(new VidFilter.Insn(0x15, 2, 1, 0x8100)))
            .order(ByteOrder.nativeOrder());
        assertEquals(8, bytes.remaining());
        assertEquals(0x15, bytes.getShort(0));
        assertEquals(2, bytes.get(2));
        assertEquals(1, bytes.get(3));
        assertEquals(0x8100, bytes.getInt(4));
    }

    @Test
    void refusesWhatIsNoVid() {
        assertThrows(IllegalArgumentException.class, () -> VidFilter.program(Set.of(4096)));
    }
}
