"""Login flood: WORKERS threads, each opening TLS connections to HOST:4000 and sending HELLO for USER with a random
wrong password as fast as the answers come (an answer is awaited at most 3 s, so a server that stalls cannot stall
the flood). Usage: login_flood.py SECONDS HOST USER WORKERS. Counts: hellos, then one key per answer
(auth-failed, limit, ...), timeout, closed (no answer: reset or closed), welcome (must stay 0)."""
import os
import socket
import ssl
import threading

from common import WELCOME, Run, answer, args, login, tls_context

seconds, host, user, workers = args("SECONDS HOST USER WORKERS", "seconds", "host", "user", "workers")
run = Run(float(seconds))
ctx = tls_context()
lock = threading.Lock()


def count(key):
    with lock:
        run.add(key)


def worker():
    while not run.stop():
        count("hellos")
        try:
            sock, mtype, code = login(ctx, host, "atk-" + os.urandom(4).hex(), user, os.urandom(12).hex(), 3)
        except socket.timeout:
            count("timeout")
            continue
        except (OSError, ssl.SSLError, ConnectionError):
            count("closed")
            continue
        if mtype == WELCOME:
            count("welcome")
            sock.close()
        else:
            count(answer(mtype, code))


threads = [threading.Thread(target=worker, daemon=True) for _ in range(int(workers))]
for t in threads:
    t.start()
for t in threads:
    # SIGTERM only sets the flag; a bounded join lets the main thread see it
    while t.is_alive():
        t.join(0.2)
run.report()
