/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.openflow;

import java.util.ArrayList;
import java.util.List;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.common.action.rev150203.action.grouping.action.choice.OutputActionCaseBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.common.action.rev150203.action.grouping.action.choice.PopVlanCaseBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.common.action.rev150203.action.grouping.action.choice.PushVlanCaseBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.common.action.rev150203.action.grouping.action.choice.SetFieldCaseBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.common.action.rev150203.action.grouping.action.choice.output.action._case.OutputActionBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.common.action.rev150203.action.grouping.action.choice.push.vlan._case.PushVlanActionBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.common.action.rev150203.action.grouping.action.choice.set.field._case.SetFieldActionBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.common.action.rev150203.actions.grouping.Action;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.common.action.rev150203.actions.grouping.ActionBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.common.instruction.rev130731.instruction.grouping.instruction.choice.ApplyActionsCaseBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.common.instruction.rev130731.instruction.grouping.instruction.choice.apply.actions._case.ApplyActionsBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.common.instruction.rev130731.instructions.grouping.Instruction;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.common.instruction.rev130731.instructions.grouping.InstructionBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.common.types.rev130731.EtherType;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.common.types.rev130731.FlowModCommand;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.common.types.rev130731.FlowModFlags;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.common.types.rev130731.MultipartRequestFlags;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.common.types.rev130731.MultipartType;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.common.types.rev130731.PortNumber;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.common.types.rev130731.TableId;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.oxm.rev150225.InPort;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.oxm.rev150225.OpenflowBasicClass;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.oxm.rev150225.OxmMatchType;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.oxm.rev150225.VlanVid;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.oxm.rev150225.match.entries.grouping.MatchEntry;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.oxm.rev150225.match.entries.grouping.MatchEntryBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.oxm.rev150225.match.entry.value.grouping.match.entry.value.InPortCaseBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.oxm.rev150225.match.entry.value.grouping.match.entry.value.VlanVidCaseBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.oxm.rev150225.match.entry.value.grouping.match.entry.value.in.port._case.InPortBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.oxm.rev150225.match.entry.value.grouping.match.entry.value.vlan.vid._case.VlanVidBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.oxm.rev150225.match.grouping.Match;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.oxm.rev150225.match.grouping.MatchBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.BarrierInput;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.BarrierInputBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.EchoInput;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.EchoInputBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.EchoReplyInput;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.EchoReplyInputBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.FlowModInput;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.FlowModInputBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.GetFeaturesInput;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.GetFeaturesInputBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.HelloInput;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.HelloInputBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.MultipartRequestInput;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.MultipartRequestInputBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.multipart.request.multipart.request.body.MultipartRequestPortDescCaseBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.openflow.protocol.rev130731.multipart.request.multipart.request.body.multipart.request.port.desc._case.MultipartRequestPortDescBuilder;
import org.opendaylight.yangtools.yang.common.Uint16;
import org.opendaylight.yangtools.yang.common.Uint32;
import org.opendaylight.yangtools.yang.common.Uint64;
import org.opendaylight.yangtools.yang.common.Uint8;
import org.serval.openflow.FlowPlan.Flow;
import org.serval.openflow.FlowPlan.Output;
import org.serval.openflow.FlowPlan.Tag;
import org.serval.openflow.FlowPlan.Untag;

/**
 * The OpenFlow 1.3 messages SERVAL sends, built with openflowjava's message model (which its serializers encode).
 */
public final class FlowMessages {
    /** OpenFlow 1.3. */
    public static final Uint8 VERSION = Uint8.valueOf(4);
    /**
     * The cookie of every flow SERVAL installs ("SERVAL" in ASCII, then zeros), so that it can delete its own flows
     * and nothing else a switch holds.
     */
    public static final Uint64 COOKIE = Uint64.valueOf(0x5345_5256_414C_0000L);
    private static final Uint64 ALL_BITS = Uint64.MAX_VALUE;
    private static final Uint32 OFP_NO_BUFFER = Uint32.MAX_VALUE;
    private static final PortNumber OFPP_ANY = new PortNumber(Uint32.MAX_VALUE);
    private static final Uint32 OFPG_ANY = Uint32.MAX_VALUE;
    private static final TableId OFPTT_ALL = new TableId(Uint32.valueOf(0xff));
    private static final TableId TABLE_0 = new TableId(Uint32.ZERO);
    private static final EtherType TPID_8021Q = new EtherType(Uint16.valueOf(0x8100));
    private static final FlowModFlags NO_FLAGS = new FlowModFlags(false, false, false, false, false);

    private FlowMessages() {
        // functions only
    }

    public static HelloInput hello(final long xid) {
        return new HelloInputBuilder().setVersion(VERSION).setXid(Uint32.valueOf(xid)).build();
    }

    public static GetFeaturesInput features(final long xid) {
        return new GetFeaturesInputBuilder().setVersion(VERSION).setXid(Uint32.valueOf(xid)).build();
    }

    public static EchoInput echo(final long xid) {
        return new EchoInputBuilder().setVersion(VERSION).setXid(Uint32.valueOf(xid)).build();
    }

    public static EchoReplyInput echoReply(final Uint32 xid, final byte[] data) {
        return new EchoReplyInputBuilder().setVersion(VERSION).setXid(xid).setData(data).build();
    }

    public static BarrierInput barrier(final long xid) {
        return new BarrierInputBuilder().setVersion(VERSION).setXid(Uint32.valueOf(xid)).build();
    }

    /**
     * Asks for the description of every port (OFPMP_PORT_DESC); the answer comes as multipart replies.
     */
    public static MultipartRequestInput portDescriptions(final long xid) {
        return new MultipartRequestInputBuilder().setVersion(VERSION).setXid(Uint32.valueOf(xid))
            .setType(MultipartType.OFPMPPORTDESC).setFlags(new MultipartRequestFlags(false))
            .setMultipartRequestBody(new MultipartRequestPortDescCaseBuilder()
                .setMultipartRequestPortDesc(new MultipartRequestPortDescBuilder().build()).build())
            .build();
    }

    /**
     * Deletes every flow with SERVAL's cookie, in every table, and nothing else.
     */
    public static FlowModInput deleteOurs(final long xid) {
        return new FlowModInputBuilder().setVersion(VERSION).setXid(Uint32.valueOf(xid))
            .setCookie(COOKIE).setCookieMask(ALL_BITS).setTableId(OFPTT_ALL).setCommand(FlowModCommand.OFPFCDELETE)
            .setIdleTimeout(Uint16.ZERO).setHardTimeout(Uint16.ZERO).setPriority(Uint16.ZERO)
            .setBufferId(OFP_NO_BUFFER).setOutPort(OFPP_ANY).setOutGroup(OFPG_ANY).setFlags(NO_FLAGS)
            .setMatch(match(List.of()))
            .build();
    }

    /**
     * Adds one flow of a {@link FlowPlan} to table 0, permanent, with SERVAL's cookie.
     */
    public static FlowModInput add(final Flow flow, final long xid) {
        final var entries = new ArrayList<MatchEntry>(2);
        if (flow.inPort() != FlowPlan.ANY_PORT) {
            entries.add(new MatchEntryBuilder().setOxmClass(OpenflowBasicClass.VALUE).setOxmMatchField(InPort.VALUE)
                .setHasMask(false)
                .setMatchEntryValue(new InPortCaseBuilder()
                    .setInPort(new InPortBuilder().setPortNumber(port(flow.inPort())).build()).build())
                .build());
        }
        if (flow.vid() != FlowPlan.ANY_VID) {
            // OFPVID_NONE (0, no tag) or OFPVID_PRESENT | vid
            entries.add(vlanVid(flow.vid()));
        }
        final var builder = new FlowModInputBuilder().setVersion(VERSION).setXid(Uint32.valueOf(xid))
            .setCookie(COOKIE).setCookieMask(Uint64.ZERO).setTableId(TABLE_0).setCommand(FlowModCommand.OFPFCADD)
            .setIdleTimeout(Uint16.ZERO).setHardTimeout(Uint16.ZERO).setPriority(Uint16.valueOf(flow.priority()))
            .setBufferId(OFP_NO_BUFFER).setOutPort(OFPP_ANY).setOutGroup(OFPG_ANY).setFlags(NO_FLAGS)
            .setMatch(match(entries));
        // No instruction at all drops the frame, which is what an empty step list means.
        builder.setInstruction(flow.steps().isEmpty() ? List.of() : List.of(applyActions(flow)));
        return builder.build();
    }

    private static Instruction applyActions(final Flow flow) {
        final var actions = new ArrayList<Action>();
        for (var step : flow.steps()) {
            switch (step) {
                case Output output -> actions.add(new ActionBuilder().setActionChoice(new OutputActionCaseBuilder()
                    .setOutputAction(new OutputActionBuilder().setPort(port(output.port()))
                        .setMaxLength(Uint16.ZERO).build()).build()).build());
                case Tag tag -> {
                    actions.add(new ActionBuilder().setActionChoice(new PushVlanCaseBuilder()
                        .setPushVlanAction(new PushVlanActionBuilder().setEthertype(TPID_8021Q).build()).build())
                        .build());
                    actions.add(new ActionBuilder().setActionChoice(new SetFieldCaseBuilder()
                        .setSetFieldAction(new SetFieldActionBuilder().setMatchEntry(List.of(vlanVid(tag.vid())))
                            .build()).build()).build());
                }
                case Untag untag -> actions.add(new ActionBuilder().setActionChoice(new PopVlanCaseBuilder().build())
                    .build());
            }
        }
        return new InstructionBuilder().setInstructionChoice(new ApplyActionsCaseBuilder()
            .setApplyActions(new ApplyActionsBuilder().setAction(actions).build()).build()).build();
    }

    private static MatchEntry vlanVid(final int vid) {
        return new MatchEntryBuilder().setOxmClass(OpenflowBasicClass.VALUE).setOxmMatchField(VlanVid.VALUE)
            .setHasMask(false)
            .setMatchEntryValue(new VlanVidCaseBuilder().setVlanVid(
                new VlanVidBuilder().setVlanVid(Uint16.valueOf(vid)).setCfiBit(vid != FlowPlan.UNTAGGED).build())
                .build())
            .build();
    }

    private static Match match(final List<MatchEntry> entries) {
        return new MatchBuilder().setType(OxmMatchType.VALUE).setMatchEntry(entries).build();
    }

    private static PortNumber port(final long number) {
        return new PortNumber(Uint32.valueOf(number));
    }
}
