"""Random bytes over TCP at every port in PORTS (comma-separated) of HOST: WORKERS threads, each connecting to the
ports in turn, writing up to 64 KB of random bytes (1 s at most), then closing. Usage:
tcp_junk.py SECONDS HOST PORTS WORKERS. Counts per port: connections, bytes, refused (no connection), reset (the
server closed or reset while we wrote)."""
import os
import socket
import threading

from common import Run, args

seconds, host, ports, workers = args("SECONDS HOST PORTS WORKERS", "seconds", "host", "ports", "workers")
run = Run(float(seconds))
ports = [int(p) for p in ports.split(",") if p]
junk = os.urandom(1 << 16)
lock = threading.Lock()


def count(port, key, n=1):
    with lock:
        run.add("port%d_%s" % (port, key), n)


def worker(k):
    i = k
    while not run.stop():
        port = ports[i % len(ports)]
        i += 1
        try:
            s = socket.create_connection((host, port), timeout=1)
        except OSError:
            count(port, "refused")
            continue
        count(port, "connections")
        start = (i * 7919) % len(junk)
        size = 1 + (i * 104729) % len(junk)
        data = (junk[start:] + junk[:start])[:size]
        try:
            s.sendall(data)
            count(port, "bytes", len(data))
        except socket.timeout:
            count(port, "stalled")
        except OSError:
            count(port, "reset")
        s.close()


threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(int(workers))]
for t in threads:
    t.start()
for t in threads:
    while t.is_alive():
        t.join(0.2)
run.report()
