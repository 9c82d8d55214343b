"""Counts the frames with source MAC SRC that arrive on IFACE (another member's TAP) for SECONDS, without reading
them: a classic BPF filter on the source address, and the kernel's PACKET_STATISTICS, which count every frame
the filter passed, delivered or dropped for lack of buffer. Usage: frame_count.py SECONDS IFACE SRC.
Counts: frames, seconds."""
import ctypes
import socket
import struct
import time

from common import Run, args

seconds, iface, src = args("SECONDS IFACE SRC_MAC", "seconds", "iface", "src")
run = Run(float(seconds))
mac = bytes.fromhex(src.replace(":", ""))
hi, lo = struct.unpack("!IH", mac)
SOL_PACKET, PACKET_STATISTICS, SO_ATTACH_FILTER, ETH_P_ALL = 263, 6, 26, 3
# ld [6]; jeq hi else reject; ldh [10]; jeq lo else reject; accept 64 bytes; reject
prog = [(0x20, 0, 0, 6), (0x15, 0, 3, hi), (0x28, 0, 0, 10), (0x15, 0, 1, lo), (0x06, 0, 0, 64), (0x06, 0, 0, 0)]
insns = ctypes.create_string_buffer(b"".join(struct.pack("HBBI", *i) for i in prog))
fprog = struct.pack("HL", len(prog), ctypes.addressof(insns))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)  # protocol 0: no frames until bound, after the filter
s.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, fprog)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.bind((iface, ETH_P_ALL))
start = time.monotonic()
while not run.stop():
    time.sleep(0.1)
packets, drops = struct.unpack("II", s.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8))
run.add("frames", packets)  # tp_packets already includes tp_drops
run.counts["seconds"] = round(time.monotonic() - start, 2)
run.report()
