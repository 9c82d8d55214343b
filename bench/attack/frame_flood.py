"""A member's flood: Ethernet frames written into the member's own TAP interface IFACE (an AF_PACKET socket sends
them out of it, so the SERVAL client reads them and forwards them to the server) as fast as the interface takes
them, from source MAC SRC, to random unicast MACs nobody has (KIND unicast) or to ff:ff:ff:ff:ff:ff (broadcast).
60-byte frames of the local experimental EtherType 0x88b5. Usage: frame_flood.py SECONDS IFACE KIND SRC.
Counts: sent, send_errors."""
import os
import socket

from common import Run, args

seconds, iface, kind, src = args("SECONDS IFACE unicast|broadcast SRC_MAC", "seconds", "iface", "kind", "src")
run = Run(float(seconds))
src_mac = bytes.fromhex(src.replace(":", ""))
tail = src_mac + b"\x88\xb5" + bytes(46)
if kind == "broadcast":
    frames = [b"\xff" * 6 + tail]
elif kind == "unicast":
    # locally administered unicast addresses (first byte 0x02), so that no member owns them
    frames = [b"\x02" + os.urandom(5) + tail for _ in range(4096)]
else:
    raise SystemExit("KIND must be unicast or broadcast")
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
s.settimeout(0.2)
i = sent = errors = 0
n = len(frames)
while not run.stop():
    for _ in range(256):
        try:
            s.send(frames[i % n])
            sent += 1
        except OSError:  # the TAP's queue is full (ENOBUFS) or the send timed out
            errors += 1
        i += 1
run.add("sent", sent)
run.add("send_errors", errors)
run.report()
