/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */

/**
 * SERVAL's dataplane: one software Ethernet switch per VLAN, with the links of clients and of other nodes plugged
 * into it as ports. This page is the map of a frame's path through a node; every fixed bound it meets is in
 * {@link org.serval.dataplane.Bounds}, and what an operator tunes is in
 * {@link org.serval.dataplane.session.DataplaneSettings}.
 *
 * <h2>A frame's path, stage by stage</h2>
 * <ol>
 * <li><b>Read and frame</b> ({@code transport/}, {@code protocol/}). TCP: TLS first, then
 * {@link org.serval.dataplane.protocol.StreamPipeline}'s framer, which refuses an announced length above the
 * limit (above a HELLO's size before login, so a stranger cannot make the node buffer 64 KB), and the decoder,
 * which fails closed: a malformed message ends the connection. UDP: one socket per core with SO_REUSEPORT
 * ({@link org.serval.dataplane.transport.UdpTransport}), read with UDP_GRO, so a client's GSO run comes up in one
 * read and Netty cuts it into its datagrams; {@code DatagramPeers} opens a sealed datagram (replay
 * window), finds the session by its id, not by the source address, and decodes the message. Node links: TLS and
 * {@code cluster/PeerCodec}'s framer (2048 bytes until the other node's HELLO is accepted, then up to a 64 KB
 * FRAME_OFFLOAD) and decoder, which fail closed likewise. Bridged Linux interfaces ({@code bridge/}): an AF_PACKET
 * socket per interface, read by a thread of its own; the frame's 802.1Q tag (from the kernel's metadata or inline)
 * picks the VLAN.</li>
 * <li><b>Session</b> ({@code session/}). Each message reaches its client's
 * {@link org.serval.dataplane.session.ClientSession#receive} on that link's one event loop, through
 * {@link org.serval.dataplane.session.StreamLink} (TCP) or {@code DatagramPeers.Peer} (UDP): the session does not
 * know which ({@link org.serval.dataplane.session.Link}); a node link's messages reach its
 * {@code cluster/NodeLink}, the same kind of last stage. A DATA message is checked against the node's local view
 * (the VLAN exists, the client is a member now; never the datastore), its broadcast and multicast are held to the
 * VLAN's flood rate ({@code StormControl}), and the frame goes to the VLAN's switch, still on the sender's loop.
 * From another node, {@code PeerLinks}' receiver for that link maps the peer's VLAN number to that peer's port
 * ({@code cluster/NodePort}) and does the same, an offloaded super-frame whole; from a bridged interface, its port
 * for that VLAN applies storm control and hands the frame to the switch on the reader thread.</li>
 * <li><b>Switch</b> ({@code switching/}, {@link org.serval.dataplane.switching.VlanSwitch#receive}). A group
 * source is dropped; the source MAC is learned (bounded, aged); the VLAN's
 * {@link org.serval.dataplane.switching.FrameService} (DHCP server, router advertisements, rogue-server guard,
 * {@code addressing/}) may answer or drop the frame; ARP and neighbour solicitations for known addresses are
 * answered from the address table ({@code resolution/}); the
 * {@link org.serval.dataplane.switching.FrameFilter} (chatter policy, IGMP/MLD snooping, {@code multicast/}) may
 * drop the frame or narrow where a group frame goes. Then unicast goes to the learned port; broadcast, multicast
 * and unknown unicast (held to the sender's rate first) are flooded to the VLAN's other members, never from one
 * node's port to another's (split horizon).</li>
 * <li><b>Port</b> ({@link org.serval.dataplane.switching.SwitchPort#deliver}). Each destination gets a retained
 * duplicate: the bytes are shared, never copied. A client's port drops the frame, counted, when its link is not
 * writable, so a slow receiver loses its own frames and never makes the switch buffer; an offloaded super-frame
 * goes whole to a client that asked for offloads and is cut into frames for the others. A node's port
 * ({@code cluster/NodePort}) does the same towards its node link: dropped, counted, when the link is not writable;
 * a super-frame whole (FRAME_OFFLOAD) to a node of link version 2, cut for one of version 1; a bridged interface's
 * port queues the frame (bounded) for its writer thread, which tags it on a trunk.</li>
 * <li><b>Outbox</b> ({@link org.serval.dataplane.session.Outbox}). The frame is queued for the destination link;
 * one task on that link's loop writes everything queued and flushes once, so a burst leaves as one TLS record or
 * one {@code sendmmsg} and wakes the receiving loop once. Queued bytes count against the link's writability. A
 * node link has the same outbox ({@code cluster/NodeLink}), with its own bound: client links and node links leave
 * by one path.</li>
 * <li><b>Encode and write.</b> {@link org.serval.dataplane.protocol.MessageEncoder} (a node link:
 * {@code cluster/PeerCodec}'s encoder; both put a frame behind its header without copying it), then TLS and the
 * socket; a sealed UDP session's datagram is sealed with its keys and sent to the client's current address, the
 * datagrams of one flush gathered into runs of one size that leave as one UDP GSO send
 * ({@link org.serval.dataplane.protocol.DatagramTrain}).</li>
 * </ol>
 *
 * <h2>Buffers and threads</h2>
 * Whoever holds a reference last releases it: the switch consumes the reference it is given, each port consumes
 * its duplicate, the encoder or a drop releases the rest ({@code LeakCheck} guards this in the tests). Stages 1-4
 * run on the sender's event loop (a bridged interface's reader thread), 5-6 on the receiver's; the only hand-off
 * between threads is the outbox's task (a bridged interface's writer queue).
 * Nothing on the path reads the datastore, blocks, or logs above TRACE per frame.
 */
package org.serval.dataplane;
