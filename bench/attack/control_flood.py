"""Control-message flood from a logged-in client: log in to HOST:4000 as USER (a real account), then write
KEEPALIVE and LIST_VLANS alternately as fast as the socket takes them, never reading a reply; log in again when the
server ends the session (at most 1,000 times), from address SOURCE (not the one of the login flood, which the
server's per-source throttle may still refuse). Usage: control_flood.py SECONDS HOST USER PASSWORD SOURCE.
Counts: logins, login_refused (with the error code or what failed), messages (written whole), disconnects (the
server closed or reset the session), write_stalls (0.5 s without the socket taking the batch: the server stopped
reading; the same batch is offered again, as OpenSSL asks after a write that could not finish, so the stream stays
aligned)."""
import socket
import ssl
import time

from common import WELCOME, Run, answer, args, keepalive, list_vlans, login, tls_context

seconds, host, user, password, source = args("SECONDS HOST USER PASSWORD SOURCE", "seconds", "host", "user",
                                                "password", "source")
run = Run(float(seconds))
ctx = tls_context()

# 16 KB of alternating messages: 8 + 9 bytes a pair
pair_len = len(keepalive(0)) + len(list_vlans(0))
batch = b"".join(keepalive(i) + list_vlans(i) for i in range(16384 // pair_len))
per_batch = 2 * (16384 // pair_len)
sessions = 0
while not run.stop() and sessions < 1000:
    sessions += 1
    try:
        sock, mtype, code = login(ctx, host, "atk-control", user, password, 3, source)
    except (OSError, ssl.SSLError, ConnectionError) as e:
        run.add("login_refused_" + type(e).__name__)
        time.sleep(0.2)
        continue
    if mtype != WELCOME:
        run.add("login_refused_" + answer(mtype, code))
        time.sleep(0.2)
        continue
    run.add("logins")
    sock.settimeout(0.5)
    try:
        while not run.stop():
            try:
                sock.send(batch)  # OpenSSL writes it whole or not at all (no partial writes in Python's ssl)
                run.add("messages", per_batch)
            except socket.timeout:
                run.add("write_stalls")
    except (OSError, ssl.SSLError):
        run.add("disconnects")
    sock.close()
run.report()
