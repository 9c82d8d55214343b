/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.dataplane.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.ReferenceCountUtil;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.serval.dataplane.Bounds;
import org.serval.dataplane.ethernet.Offload;
import org.serval.dataplane.protocol.Message.Assign;
import org.serval.dataplane.protocol.Message.Bye;
import org.serval.dataplane.protocol.Message.CreateVlan;
import org.serval.dataplane.protocol.Message.Data;
import org.serval.dataplane.protocol.Message.DeleteVlan;
import org.serval.dataplane.protocol.Message.Done;
import org.serval.dataplane.protocol.Message.Error;
import org.serval.dataplane.protocol.Message.Hello;
import org.serval.dataplane.protocol.Message.Join;
import org.serval.dataplane.protocol.Message.Joined;
import org.serval.dataplane.protocol.Message.Keepalive;
import org.serval.dataplane.protocol.Message.KeepaliveAck;
import org.serval.dataplane.protocol.Message.Leave;
import org.serval.dataplane.protocol.Message.Left;
import org.serval.dataplane.protocol.Message.ListMembers;
import org.serval.dataplane.protocol.Message.ListVlans;
import org.serval.dataplane.protocol.Message.MemberEntry;
import org.serval.dataplane.protocol.Message.Members;
import org.serval.dataplane.protocol.Message.NodeEntry;
import org.serval.dataplane.protocol.Message.Nodes;
import org.serval.dataplane.protocol.Message.Removed;
import org.serval.dataplane.protocol.Message.Resolve;
import org.serval.dataplane.protocol.Message.Resolved;
import org.serval.dataplane.protocol.Message.Resume;
import org.serval.dataplane.protocol.Message.Ticket;
import org.serval.dataplane.protocol.Message.VlanEntry;
import org.serval.dataplane.protocol.Message.Vlans;
import org.serval.dataplane.protocol.Message.Welcome;

/**
 * The one wire codec, shared by the server and the client: messages to bytes and back, per docs/protocol.md.
 * Decoding fails closed: anything short, long, unknown or inconsistent is a {@link ProtocolException}, and nothing
 * is read past the message's own length.
 */
public final class MessageCodec {
    public static final int VERSION = 1;
    public static final int HEADER = 4;
    /**
     * The longest message either end accepts, header included.
     */
    public static final int MAX_MESSAGE = Bounds.MAX_MESSAGE;
    public static final int MIN_FRAME = 14;
    public static final int MAX_FRAME = 1518;
    public static final int TYPE_DATA_OFFLOAD = 0x12;
    /**
     * The longest DATA_OFFLOAD message, header included: as long as the header's length field can say.
     */
    public static final int MAX_OFFLOAD_MESSAGE = HEADER + 0xFFFF;
    /**
     * The longest frame a DATA_OFFLOAD message carries: what the length field leaves after the VLAN reference and
     * the offload header.
     */
    public static final int MAX_OFFLOAD_FRAME = 0xFFFF - 2 - Offload.BYTES;

    private MessageCodec() {
        // static only
    }

    /**
     * Writes one message, header included. A Data message's frame is copied, not released: the caller still owns
     * the message.
     */
    public static void encode(final Message message, final ByteBuf out) {
        final int start = out.writerIndex();
        try {
            encodeUnchecked(message, out, start);
        } catch (IllegalArgumentException e) {
            // A message that cannot be sent leaves nothing half-written behind.
            out.writerIndex(start);
            throw e;
        }
    }

    /**
     * Returns one message as a buffer of its own, consuming the message. A Data message's frame is not copied: it
     * becomes the second component behind a 6-byte header, so forwarding a frame costs no copy.
     */
    public static ByteBuf toBuffer(final ByteBufAllocator alloc, final Message message) {
        if (message instanceof Data data) {
            final var frame = data.content();
            final int length = frame.readableBytes();
            final var offload = data.offload();
            if (length < MIN_FRAME || length > (offload == null ? MAX_FRAME : MAX_OFFLOAD_FRAME)) {
                data.release();
                throw new IllegalArgumentException("no frame has " + length + " bytes");
            }
            final int extra = offload == null ? 0 : Offload.BYTES;
            final var header = alloc.directBuffer(HEADER + 2 + extra).writeByte(VERSION).writeByte(message.type())
                .writeShort(2 + extra + length).writeShort(data.vlanRef());
            if (offload != null) {
                writeOffload(header, offload);
            }
            return alloc.compositeDirectBuffer(2).addComponents(true, header, frame);
        }
        final var out = alloc.buffer();
        try {
            encode(message, out);
            return out;
        } catch (IllegalArgumentException e) {
            out.release();
            throw e;
        }
    }

    /**
     * The bytes a message takes on the wire, header included; -1 when it cannot be encoded (a string too long for
     * its length prefix, a list too long for its count, a frame of the wrong size) or is longer than its type allows.
     * Outboxes weigh messages by it and refuse what the encoder would, so that no message a server builds can fail
     * the encoder and end a session; senders split or page what could outgrow {@link #MAX_MESSAGE}.
     */
    public static int encodedLength(final Message message) {
        final long body = switch (message) {
            case Hello m -> 1 + str8(m.clientId()) + 1 + str8(m.user()) + 1 + str16(m.authData());
            case Ticket m -> 4 + 2 + m.clientKey().length + m.serverKey().length;
            case Welcome m -> 1 + str8(m.nodeId()) + 4 + 1 + 2;
            case Join m -> 4 + 6 + str8(m.vlan());
            case Joined m -> 4 + 2 + str8(m.vlan());
            case Leave m -> 4 + 2;
            case Left m -> 4 + 2;
            case ListVlans m -> 4 + str8(m.prefix()) + (m.after() == null ? 0 : str8(m.after()));
            case Vlans m -> vlansBody(m);
            case Resolve m -> 4 + 2 + 1 + m.address().length;
            case Resolved m -> 4 + 1 + 6;
            case Keepalive m -> 4;
            case KeepaliveAck m -> 4;
            case Nodes m -> nodesBody(m);
            case Error m -> 4 + 2 + str16(m.message());
            case Bye m -> 1;
            case Data m -> dataBody(m);
            case Assign m -> str8(m.vlan());
            case Removed m -> 2 + 1 + str8(m.vlan());
            case CreateVlan m -> 4 + 1 + str8(m.name());
            case DeleteVlan m -> 4 + str8(m.name());
            case Done m -> 4;
            case ListMembers m -> 4 + str8(m.vlan()) + str8(m.after());
            case Members m -> membersBody(m);
            case Resume m -> 4 + str16(m.credential());
        };
        return body + HEADER > maxMessage(message.type()) ? -1 : (int) body + HEADER;
    }

    /**
     * The bytes one entry takes in a VLANS message.
     */
    public static long encodedLength(final VlanEntry vlan) {
        return str8(vlan.name()) + 2 + 1;
    }

    /**
     * The bytes one entry takes in a NODES message.
     */
    public static long encodedLength(final NodeEntry node) {
        return str8(node.nodeId()) + 1 + str8(node.host()) + 2 + 4 + 1 + str8(node.fingerprint());
    }

    /**
     * The bytes one entry takes in a MEMBERS message.
     */
    public static long encodedLength(final MemberEntry member) {
        if (member.addresses().size() > MemberEntry.MAX_ADDRESSES) {
            return Integer.MAX_VALUE;
        }
        long bytes = str8(member.clientId()) + str8(member.user()) + 6 + str8(member.nodeId()) + 1;
        for (var address : member.addresses()) {
            bytes += 1 + address.getAddress().length;
        }
        return bytes;
    }

    private static long vlansBody(final Vlans vlans) {
        if (vlans.vlans().size() > 0xFFFF) {
            return Integer.MAX_VALUE;
        }
        long body = 4 + 2 + (vlans.paged() ? 1 : 0);
        for (var vlan : vlans.vlans()) {
            body += encodedLength(vlan);
        }
        return body;
    }

    private static long membersBody(final Members members) {
        if (members.members().size() > 0xFFFF) {
            return Integer.MAX_VALUE;
        }
        long body = 4 + 2 + 1;
        for (var member : members.members()) {
            body += encodedLength(member);
        }
        return body;
    }

    private static long nodesBody(final Nodes nodes) {
        if (nodes.nodes().size() > 0xFF) {
            return Integer.MAX_VALUE;
        }
        long body = 1;
        for (var node : nodes.nodes()) {
            body += encodedLength(node);
        }
        return body;
    }

    private static long dataBody(final Data data) {
        final int length = data.content().readableBytes();
        if (length < MIN_FRAME || length > (data.offload() == null ? MAX_FRAME : MAX_OFFLOAD_FRAME)) {
            return Integer.MAX_VALUE;
        }
        return 2 + (data.offload() == null ? 0 : Offload.BYTES) + length;
    }

    // A string's length with its prefix, or more than any message when the prefix cannot say it.
    private static long str8(final String text) {
        final int bytes = ByteBufUtil.utf8Bytes(text);
        return bytes > 0xFF ? Integer.MAX_VALUE : 1 + bytes;
    }

    private static long str16(final String text) {
        final int bytes = ByteBufUtil.utf8Bytes(text);
        return bytes > 0xFFFF ? Integer.MAX_VALUE : 2 + bytes;
    }

    private static void encodeUnchecked(final Message message, final ByteBuf out, final int start) {
        out.writeByte(VERSION).writeByte(message.type()).writeShort(0);
        switch (message) {
            case Hello m -> {
                out.writeByte(m.maxVersion());
                writeStr8(out, m.clientId());
                out.writeByte(m.flags());
                writeStr8(out, m.user());
                out.writeByte(m.authMethod());
                writeStr16(out, m.authData());
            }
            case Ticket m -> out.writeInt((int) m.session()).writeShort(m.lifetimeSeconds())
                .writeBytes(m.clientKey()).writeBytes(m.serverKey());
            case Welcome m -> {
                out.writeByte(m.version());
                writeStr8(out, m.nodeId());
                out.writeInt((int) m.keepaliveMillis()).writeByte(m.expireAfter()).writeShort(m.tapMtu());
            }
            case Join m -> {
                out.writeInt((int) m.request());
                writeMac(out, m.mac());
                writeStr8(out, m.vlan());
            }
            case Joined m -> {
                out.writeInt((int) m.request()).writeShort(m.vlanRef());
                writeStr8(out, m.vlan());
            }
            case Leave m -> out.writeInt((int) m.request()).writeShort(m.vlanRef());
            case Left m -> out.writeInt((int) m.request()).writeShort(m.vlanRef());
            case ListVlans m -> {
                out.writeInt((int) m.request());
                writeStr8(out, m.prefix());
                if (m.after() != null) {
                    writeStr8(out, m.after());
                }
            }
            case Vlans m -> {
                if (m.vlans().size() > 0xFFFF) {
                    throw new IllegalArgumentException(m.vlans().size() + " VLANs do not fit a count of 16 bits");
                }
                out.writeInt((int) m.request()).writeShort(m.vlans().size());
                for (var vlan : m.vlans()) {
                    writeStr8(out, vlan.name());
                    out.writeShort(vlan.members()).writeByte(vlan.open() ? 1 : 0);
                }
                if (m.paged()) {
                    out.writeByte(m.more() ? 1 : 0);
                }
            }
            case Resolve m -> {
                final var address = m.address();
                out.writeInt((int) m.request()).writeShort(m.vlanRef()).writeByte(address.length == 4 ? 4 : 6);
                out.writeBytes(address);
            }
            case Resolved m -> {
                out.writeInt((int) m.request()).writeByte(m.found() ? 1 : 0);
                writeMac(out, m.mac());
            }
            case Keepalive m -> out.writeInt((int) m.seq());
            case KeepaliveAck m -> out.writeInt((int) m.seq());
            case Nodes m -> {
                if (m.nodes().size() > 0xFF) {
                    throw new IllegalArgumentException(m.nodes().size() + " nodes do not fit a count of 8 bits");
                }
                out.writeByte(m.nodes().size());
                for (var node : m.nodes()) {
                    writeStr8(out, node.nodeId());
                    out.writeByte(node.transport());
                    writeStr8(out, node.host());
                    out.writeShort(node.port()).writeInt((int) node.clients()).writeByte(node.cpuPercent());
                    writeStr8(out, node.fingerprint());
                }
            }
            case Error m -> {
                out.writeInt((int) m.request()).writeShort(m.code());
                writeStr16(out, m.message());
            }
            case Bye m -> out.writeByte(m.reason());
            case Assign m -> writeStr8(out, m.vlan());
            case Removed m -> {
                out.writeShort(m.vlanRef()).writeByte(m.reason());
                writeStr8(out, m.vlan());
            }
            case CreateVlan m -> {
                out.writeInt((int) m.request()).writeByte(m.open() ? 1 : 0);
                writeStr8(out, m.name());
            }
            case DeleteVlan m -> {
                out.writeInt((int) m.request());
                writeStr8(out, m.name());
            }
            case Done m -> out.writeInt((int) m.request());
            case ListMembers m -> {
                out.writeInt((int) m.request());
                writeStr8(out, m.vlan());
                writeStr8(out, m.after());
            }
            case Members m -> writeMembers(out, m);
            case Resume m -> {
                out.writeInt((int) m.lifetimeSeconds());
                writeStr16(out, m.credential());
            }
            case Data m -> {
                final var frame = m.content();
                if (frame.readableBytes() < MIN_FRAME
                        || frame.readableBytes() > (m.offload() == null ? MAX_FRAME : MAX_OFFLOAD_FRAME)) {
                    throw new IllegalArgumentException("no frame has " + frame.readableBytes() + " bytes");
                }
                out.writeShort(m.vlanRef());
                if (m.offload() != null) {
                    writeOffload(out, m.offload());
                }
                out.writeBytes(frame, frame.readerIndex(), frame.readableBytes());
            }
        }
        final int length = out.writerIndex() - start - HEADER;
        if (length + HEADER > maxMessage(message.type())) {
            throw new IllegalArgumentException("message of " + (length + HEADER) + " bytes exceeds "
                + maxMessage(message.type()));
        }
        out.setShort(start + 2, length);
    }

    /**
     * Returns the body length a header announces, or -1 when fewer than 4 bytes are readable. Reads nothing.
     */
    public static int peekBodyLength(final ByteBuf in) {
        return in.readableBytes() < HEADER ? -1 : in.getUnsignedShort(in.readerIndex() + 2);
    }

    /**
     * Reads exactly one message, which must be all that is readable in {@code in}. A Data message's frame is a
     * retained slice of {@code in}: release the message when done with it.
     */
    public static Message decode(final ByteBuf in) {
        if (in.readableBytes() < HEADER) {
            throw new ProtocolException("a message has at least 4 bytes, not " + in.readableBytes());
        }
        final int max = maxMessage(in.getUnsignedByte(in.readerIndex() + 1));
        if (in.readableBytes() > max) {
            throw new ProtocolException("message of " + in.readableBytes() + " bytes exceeds " + max);
        }
        final int version = in.readUnsignedByte();
        final int type = in.readUnsignedByte();
        final int length = in.readUnsignedShort();
        if (length != in.readableBytes()) {
            throw new ProtocolException("header says " + length + " bytes of body, " + in.readableBytes()
                + " are there");
        }
        if (version != VERSION) {
            throw new ProtocolException("header version " + version + " is not spoken here");
        }
        final Message message;
        try {
            message = decodeBody(type, in);
        } catch (IndexOutOfBoundsException e) {
            throw new ProtocolException("message of type " + type + " ends early", e);
        }
        if (in.isReadable()) {
            final int extra = in.readableBytes();
            ReferenceCountUtil.release(message);
            throw new ProtocolException(extra + " bytes after the end of a message of type " + type);
        }
        return message;
    }

    private static Message decodeBody(final int type, final ByteBuf in) {
        return switch (type) {
            case 0x01 -> new Hello(in.readUnsignedByte(), readStr8(in), in.readUnsignedByte(), readStr8(in),
                in.readUnsignedByte(), readStr16(in));
            case 0x02 -> new Welcome(in.readUnsignedByte(), readStr8(in), in.readUnsignedInt(),
                in.readUnsignedByte(), in.readUnsignedShort());
            case 0x03 -> new Join(in.readUnsignedInt(), readMac(in), readStr8(in));
            case 0x04 -> new Joined(in.readUnsignedInt(), in.readUnsignedShort(), readStr8(in));
            case 0x05 -> new Leave(in.readUnsignedInt(), in.readUnsignedShort());
            case 0x06 -> new Left(in.readUnsignedInt(), in.readUnsignedShort());
            case 0x07 -> new ListVlans(in.readUnsignedInt(), readStr8(in), in.isReadable() ? readStr8(in) : null);
            case 0x08 -> readVlans(in);
            case 0x09 -> readResolve(in);
            case 0x0A -> new Resolved(in.readUnsignedInt(), readFlag(in), readMac(in));
            case 0x0B -> new Keepalive(in.readUnsignedInt());
            case 0x0C -> new KeepaliveAck(in.readUnsignedInt());
            case 0x0D -> readNodes(in);
            case 0x0E -> new Error(in.readUnsignedInt(), in.readUnsignedShort(), readStr16(in));
            case 0x0F -> new Bye(in.readUnsignedByte());
            case 0x10 -> readData(in);
            case TYPE_DATA_OFFLOAD -> readOffloadData(in);
            case 0x13 -> new Assign(readStr8(in));
            case 0x14 -> new Removed(in.readUnsignedShort(), in.readUnsignedByte(), readStr8(in));
            case 0x15 -> readCreateVlan(in);
            case 0x16 -> new DeleteVlan(in.readUnsignedInt(), readStr8(in));
            case 0x17 -> new Done(in.readUnsignedInt());
            case 0x18 -> new ListMembers(in.readUnsignedInt(), readStr8(in), readStr8(in));
            case 0x19 -> readMembers(in);
            case 0x1A -> new Resume(in.readUnsignedInt(), readStr16(in));
            case 0x11 -> new Ticket(in.readUnsignedInt(), in.readUnsignedShort(), readBytes(in, Ticket.KEY_BYTES),
                readBytes(in, Ticket.KEY_BYTES));
            default -> throw new ProtocolException("unknown message type 0x" + Integer.toHexString(type));
        };
    }

    private static byte[] readBytes(final ByteBuf in, final int count) {
        final var bytes = new byte[count];
        in.readBytes(bytes);
        return bytes;
    }

    private static Data readData(final ByteBuf in) {
        final int vlanRef = in.readUnsignedShort();
        final int length = in.readableBytes();
        if (length < MIN_FRAME || length > MAX_FRAME) {
            throw new ProtocolException("a frame has 14 to 1518 bytes, not " + length);
        }
        return new Data(vlanRef, in.readRetainedSlice(length));
    }

    private static Data readOffloadData(final ByteBuf in) {
        final int vlanRef = in.readUnsignedShort();
        final var offload = new Offload(in.readUnsignedByte(), in.readUnsignedByte(), in.readUnsignedShort(),
            in.readUnsignedShort(), in.readUnsignedShort(), in.readUnsignedShort());
        final int length = in.readableBytes();
        if (length < MIN_FRAME) {
            throw new ProtocolException("no frame has " + length + " bytes");
        }
        final var problem = offload.problemWith(length);
        if (problem != null) {
            throw new ProtocolException(problem);
        }
        return new Data(vlanRef, in.readRetainedSlice(length), offload);
    }

    private static void writeOffload(final ByteBuf out, final Offload offload) {
        out.writeByte(offload.flags()).writeByte(offload.gsoType()).writeShort(offload.hdrLen())
            .writeShort(offload.gsoSize()).writeShort(offload.csumStart()).writeShort(offload.csumOffset());
    }

    /**
     * The longest message of a type, header included.
     */
    public static int maxMessage(final int type) {
        return type == TYPE_DATA_OFFLOAD ? MAX_OFFLOAD_MESSAGE : MAX_MESSAGE;
    }

    private static Vlans readVlans(final ByteBuf in) {
        final long request = in.readUnsignedInt();
        final int count = in.readUnsignedShort();
        // Each entry has at least 4 bytes; a count the body cannot hold is refused before anything is allocated.
        need(in, count * 4L);
        final var vlans = new ArrayList<VlanEntry>(count);
        for (int i = 0; i < count; i++) {
            vlans.add(new VlanEntry(readStr8(in), in.readUnsignedShort(), readFlag(in)));
        }
        // The answer to a paged request ends with its "more" flag; anything after that is refused by the caller.
        if (in.isReadable()) {
            return new Vlans(request, vlans, true, readFlag(in));
        }
        return new Vlans(request, vlans);
    }

    private static CreateVlan readCreateVlan(final ByteBuf in) {
        final long request = in.readUnsignedInt();
        // flags: bit 0 open; any other bit is refused, so that a later flag is never silently ignored
        return new CreateVlan(request, readFlag(in), readStr8(in));
    }

    private static void writeMembers(final ByteBuf out, final Members members) {
        if (members.members().size() > 0xFFFF) {
            throw new IllegalArgumentException(members.members().size() + " members do not fit a count of 16 bits");
        }
        out.writeInt((int) members.request()).writeShort(members.members().size());
        for (var member : members.members()) {
            if (member.addresses().size() > MemberEntry.MAX_ADDRESSES) {
                throw new IllegalArgumentException(member.addresses().size()
                    + " addresses do not fit a count of 8 bits");
            }
            writeStr8(out, member.clientId());
            writeStr8(out, member.user());
            writeMac(out, member.mac());
            writeStr8(out, member.nodeId());
            out.writeByte(member.addresses().size());
            for (var address : member.addresses()) {
                out.writeByte(address instanceof Inet4Address ? 4 : 6).writeBytes(address.getAddress());
            }
        }
        out.writeByte(members.more() ? 1 : 0);
    }

    private static Members readMembers(final ByteBuf in) {
        final long request = in.readUnsignedInt();
        final int count = in.readUnsignedShort();
        // Each entry has at least 10 bytes (three empty strings, a MAC, no addresses): refuse a count the body
        // cannot hold before allocating for it.
        need(in, count * 10L + 1);
        final var members = new ArrayList<MemberEntry>(count);
        for (int i = 0; i < count; i++) {
            final var clientId = readStr8(in);
            final var user = readStr8(in);
            final long mac = readMac(in);
            final var node = readStr8(in);
            final int addressCount = in.readUnsignedByte();
            need(in, addressCount * 5L);
            final var addresses = new ArrayList<InetAddress>(addressCount);
            for (int a = 0; a < addressCount; a++) {
                addresses.add(readAddress(in));
            }
            members.add(new MemberEntry(clientId, user, mac, node, addresses));
        }
        return new Members(request, members, readFlag(in));
    }

    private static InetAddress readAddress(final ByteBuf in) {
        final int family = in.readUnsignedByte();
        final int size = switch (family) {
            case 4 -> 4;
            case 6 -> 16;
            default -> throw new ProtocolException("address family " + family + " is neither 4 nor 6");
        };
        need(in, size);
        try {
            return InetAddress.getByAddress(readBytes(in, size));
        } catch (UnknownHostException e) {
            throw new ProtocolException("no address has " + size + " bytes", e);
        }
    }

    /**
     * The members of a list that fit one MEMBERS message, from the first.
     */
    public static int membersThatFit(final List<MemberEntry> members) {
        long bytes = HEADER + 4 + 2 + 1;
        int fit = 0;
        for (var member : members) {
            bytes += encodedLength(member);
            if (bytes > MAX_MESSAGE || fit == 0xFFFF) {
                break;
            }
            fit++;
        }
        return fit;
    }

    private static Resolve readResolve(final ByteBuf in) {
        final long request = in.readUnsignedInt();
        final int vlanRef = in.readUnsignedShort();
        final int family = in.readUnsignedByte();
        final int size = switch (family) {
            case 4 -> 4;
            case 6 -> 16;
            default -> throw new ProtocolException("address family " + family + " is neither 4 nor 6");
        };
        need(in, size);
        final var address = new byte[size];
        in.readBytes(address);
        return new Resolve(request, vlanRef, address);
    }

    private static Nodes readNodes(final ByteBuf in) {
        final int count = in.readUnsignedByte();
        need(in, count * 11L);
        final var nodes = new ArrayList<NodeEntry>(count);
        for (int i = 0; i < count; i++) {
            nodes.add(new NodeEntry(readStr8(in), in.readUnsignedByte(), readStr8(in), in.readUnsignedShort(),
                in.readUnsignedInt(), in.readUnsignedByte(), readStr8(in)));
        }
        return new Nodes(nodes);
    }

    private static boolean readFlag(final ByteBuf in) {
        final int flag = in.readUnsignedByte();
        if (flag > 1) {
            throw new ProtocolException("a flag is 0 or 1, not " + flag);
        }
        return flag == 1;
    }

    private static void need(final ByteBuf in, final long bytes) {
        if (in.readableBytes() < bytes) {
            throw new ProtocolException("message ends early: " + bytes + " more bytes announced, "
                + in.readableBytes() + " there");
        }
    }

    private static String readStr8(final ByteBuf in) {
        need(in, 1);
        return readString(in, in.readUnsignedByte());
    }

    private static String readStr16(final ByteBuf in) {
        need(in, 2);
        return readString(in, in.readUnsignedShort());
    }

    private static String readString(final ByteBuf in, final int length) {
        need(in, length);
        final var decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            final var text = decoder.decode(in.nioBuffer(in.readerIndex(), length)).toString();
            in.skipBytes(length);
            return text;
        } catch (CharacterCodingException e) {
            throw new ProtocolException("a string is not valid UTF-8", e);
        }
    }

    private static long readMac(final ByteBuf in) {
        need(in, 6);
        return (long) in.readUnsignedShort() << 32 | in.readUnsignedInt();
    }

    private static void writeMac(final ByteBuf out, final long mac) {
        out.writeShort((int) (mac >>> 32)).writeInt((int) mac);
    }

    private static void writeStr8(final ByteBuf out, final String text) {
        final var bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > 255) {
            throw new IllegalArgumentException("string of " + bytes.length + " bytes does not fit a str8");
        }
        out.writeByte(bytes.length).writeBytes(bytes);
    }

    private static void writeStr16(final ByteBuf out, final String text) {
        final var bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > 65535) {
            throw new IllegalArgumentException("string of " + bytes.length + " bytes does not fit a str16");
        }
        out.writeShort(bytes.length).writeBytes(bytes);
    }
}
