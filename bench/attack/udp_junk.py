"""Random UDP datagrams to HOST:4000 as fast as one socket sends them, 1 to 1,400 bytes: a third wholly random,
a third shaped like a bare message (version 1, a type, a length), a third like a sealed datagram (marker 0x80 or
0x81, a random session and counter). Usage: udp_junk.py SECONDS HOST. Counts: sent, send_errors."""
import os
import random
import socket

from common import Run, args

seconds, host = args("SECONDS HOST", "seconds", "host")
run = Run(float(seconds))
rnd = random.Random(19)
pool = []
for i in range(1024):
    body = os.urandom(rnd.randint(1, 1400))
    if i % 3 == 1:
        body = bytes([1, rnd.randint(0, 0x13)]) + (len(body)).to_bytes(2, "big") + body
    elif i % 3 == 2:
        body = bytes([0x80 | (i & 1)]) + body
    pool.append(body[:1400])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setblocking(False)
sent = errors = i = 0
while not run.stop():
    for _ in range(512):
        try:
            s.sendto(pool[i & 1023], (host, 4000))
            sent += 1
        except OSError:  # the socket's buffer is full
            errors += 1
        i += 1
run.add("sent", sent)
run.add("send_errors", errors)
run.report()
