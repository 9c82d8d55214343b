# Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
#
# This program and the accompanying materials are made available under the
# terms of the Eclipse Public License v1.0 which accompanies this distribution,
# and is available at http://www.eclipse.org/legal/epl-v10.html
"""Hosts on 802.1Q VLANs behind one interface, for kernels without the 8021q module (no VLAN subinterfaces).

Usage: vlan_hosts.py IFACE VID=IPV4 [VID=IPV4 ...]

For each VID it is one host with that IPv4 address (MAC 02:00:00:00:VID): it answers ARP requests for its address
and ICMP echo requests to it, but only when they come tagged with its VID, and answers tagged with the same VID.
The tag is read from the kernel's metadata (PACKET_AUXDATA) or from the frame itself.
"""
import socket
import struct
import sys

SOL_PACKET = 263
PACKET_AUXDATA = 8
TP_STATUS_VLAN_VALID = 0x10
PACKET_OUTGOING = 4


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return (~total) & 0xFFFF


def main():
    iface = sys.argv[1]
    hosts = {}
    for arg in sys.argv[2:]:
        vid, address = arg.split("=")
        hosts[int(vid)] = socket.inet_aton(address)
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    sock.bind((iface, 0))
    sock.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    print("ready", flush=True)
    while True:
        data, ancillary, _, source = sock.recvmsg(65535, 64)
        if source[2] == PACKET_OUTGOING:
            continue
        vid = None
        for level, kind, value in ancillary:
            if level == SOL_PACKET and kind == PACKET_AUXDATA and len(value) >= 20:
                status, _, _, _, _, tci, _ = struct.unpack("IIIHHHH", value[:20])
                if status & TP_STATUS_VLAN_VALID:
                    vid = tci & 0x0FFF
        if vid is None and data[12:14] == b"\x81\x00":
            vid = struct.unpack("!H", data[14:16])[0] & 0x0FFF
            data = data[:12] + data[16:]
        if vid not in hosts:
            continue
        address = hosts[vid]
        mac = bytes([2, 0, 0, 0, vid >> 8, vid & 0xFF])
        kind = data[12:14]
        reply = None
        if kind == b"\x08\x06" and data[20:22] == b"\x00\x01" and data[38:42] == address:
            reply = (data[6:12] + mac + b"\x08\x06" + data[14:20] + b"\x00\x02" + mac + address + data[22:32])
        elif kind == b"\x08\x00" and data[30:34] == address and data[23] == 1:
            header_length = (data[14] & 0x0F) * 4
            total_length = struct.unpack("!H", data[16:18])[0]
            ip = bytearray(data[14:14 + header_length])
            icmp = bytearray(data[14 + header_length:14 + total_length])
            if not icmp or icmp[0] != 8:
                continue
            ip[12:16], ip[16:20] = data[30:34], data[26:30]
            ip[8] = 64
            ip[10:12] = b"\0\0"
            ip[10:12] = struct.pack("!H", checksum(bytes(ip)))
            icmp[0] = 0
            icmp[2:4] = b"\0\0"
            icmp[2:4] = struct.pack("!H", checksum(bytes(icmp)))
            reply = data[6:12] + mac + b"\x08\x00" + bytes(ip) + bytes(icmp)
        if reply is not None:
            sock.send(reply[:12] + b"\x81\x00" + struct.pack("!H", vid) + reply[12:])


if __name__ == "__main__":
    main()
