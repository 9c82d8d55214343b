/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.openflow;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.HexFormat;
import java.util.List;
import org.junit.Test;
import org.opendaylight.openflowjava.protocol.api.extensibility.OFDeserializer;
import org.opendaylight.openflowjava.protocol.api.extensibility.OFSerializer;
import org.opendaylight.openflowjava.protocol.api.keys.MessageCodeKey;
import org.opendaylight.openflowjava.protocol.api.keys.MessageTypeKey;
import org.opendaylight.openflowjava.protocol.impl.deserialization.DeserializerRegistryImpl;
import org.opendaylight.openflowjava.protocol.impl.serialization.SerializerRegistryImpl;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.FlowModInput;
import org.serval.openflow.FlowPlan.Flow;
import org.serval.openflow.FlowPlan.Output;
import org.serval.openflow.FlowPlan.Tag;
import org.serval.openflow.FlowPlan.Untag;

/**
 * The FlowMods SERVAL builds, encoded by openflowjava's own serializers (what goes on the wire to a switch) and
 * decoded again by its deserializers.
 */
public class FlowMessagesTest {
    private static final int FLOW_MOD = 14;

    private static ByteBuf encode(final FlowModInput message) {
        final var registry = new SerializerRegistryImpl();
        registry.init();
        final OFSerializer<FlowModInput> serializer =
            registry.getSerializer(new MessageTypeKey<>(FlowMessages.VERSION, FlowModInput.class));
        final var buffer = Unpooled.buffer();
        serializer.serialize(message, buffer);
        return buffer;
    }

    private static FlowModInput decode(final ByteBuf buffer) {
        final var registry = new DeserializerRegistryImpl();
        registry.init();
        final OFDeserializer<FlowModInput> deserializer =
            registry.getDeserializer(new MessageCodeKey(FlowMessages.VERSION, FLOW_MOD, FlowModInput.class));
        // the deserializer starts after version, type and length
        return deserializer.deserialize(buffer.skipBytes(4));
    }

    private static String hex(final ByteBuf buffer) {
        return ByteBufUtil.hexDump(buffer);
    }

    @Test
    public void accessFlowMatchesUntaggedFramesOnItsPortAndTagsTowardsTheTrunk() {
        final var flow = new Flow(FlowPlan.PRIORITY_FORWARD, 1, FlowPlan.UNTAGGED,
            List.of(new Output(2), new Tag(100), new Output(10)));
        final var message = FlowMessages.add(flow, 7);
        final var wire = encode(message);
        try {
            assertEquals("OpenFlow 1.3", 4, wire.getUnsignedByte(0));
            assertEquals("FLOW_MOD", FLOW_MOD, wire.getUnsignedByte(1));
            assertEquals("length", wire.readableBytes(), wire.getUnsignedShort(2));
            assertEquals("cookie", FlowMessages.COOKIE.longValue(), wire.getLong(8));
            assertEquals("table 0", 0, wire.getUnsignedByte(24));
            assertEquals("OFPFC_ADD", 0, wire.getUnsignedByte(25));
            assertEquals("priority", FlowPlan.PRIORITY_FORWARD, wire.getUnsignedShort(30));
            final var text = hex(wire);
            // OXM in_port=1, then vlan_vid=OFPVID_NONE (untagged only)
            assertTrue(text, text.contains("8000000400000001" + "80000c020000"));
            // apply-actions: output:2, push_vlan 0x8100, set_field vlan_vid=0x1000|100, output:10
            assertTrue(text, text.contains("0000001000000002"));
            assertTrue(text, text.contains("001100088100"));
            assertTrue(text, text.contains("80000c021064"));
            assertTrue(text, text.indexOf("0000001000000002") < text.indexOf("001100088100"));
            assertTrue(text, text.indexOf("80000c021064") < text.indexOf("000000100000000a"));

            final var decoded = decode(wire);
            assertEquals(message.getMatch(), decoded.getMatch());
            assertEquals(message.getInstruction(), decoded.getInstruction());
            assertEquals(message.getCookie(), decoded.getCookie());
        } finally {
            wire.release();
        }
    }

    @Test
    public void trunkFlowMatchesTheVidAndPopsTheTag() {
        final var flow = new Flow(FlowPlan.PRIORITY_FORWARD, 10, 100, List.of(new Untag(), new Output(1)));
        final var message = FlowMessages.add(flow, 8);
        final var wire = encode(message);
        try {
            final var text = hex(wire);
            assertTrue(text, text.contains("800000040000000a" + "80000c021064"));
            // pop_vlan (type 18, length 8) before output:1
            assertTrue(text, text.contains("0012000800000000" + "0000001000000001"));
            final var decoded = decode(wire);
            assertEquals(message.getMatch(), decoded.getMatch());
            assertEquals(message.getInstruction(), decoded.getInstruction());
        } finally {
            wire.release();
        }
    }

    @Test
    public void dropFlowMatchesEverythingAndDoesNothing() {
        final var message = FlowMessages.add(FlowPlan.Flow.drop(), 9);
        final var wire = encode(message);
        try {
            assertEquals("priority 0", 0, wire.getUnsignedShort(30));
            // an empty OXM match (type 1, length 4, padded to 8) and no instruction: the message ends there
            assertEquals(56, wire.readableBytes());
            assertEquals("0001000400000000", hex(wire.slice(48, 8)));
        } finally {
            wire.release();
        }
    }

    @Test
    public void deleteTakesOnlyOurCookieFromEveryTable() {
        final var wire = encode(FlowMessages.deleteOurs(10));
        try {
            assertEquals("cookie", FlowMessages.COOKIE.longValue(), wire.getLong(8));
            assertEquals("cookie mask", "ffffffffffffffff", HexFormat.of().toHexDigits(wire.getLong(16)));
            assertEquals("OFPTT_ALL", 0xff, wire.getUnsignedByte(24));
            assertEquals("OFPFC_DELETE", 3, wire.getUnsignedByte(25));
            assertEquals("out_port any", 0xffffffffL, wire.getUnsignedInt(36));
            assertEquals("out_group any", 0xffffffffL, wire.getUnsignedInt(40));
        } finally {
            wire.release();
        }
    }
}
