"""The honest login: TLS to HOST:4000, HELLO as USER with its real PASSWORD, and WELCOME within TIMEOUT seconds,
then BYE. Prints "ok SECONDS" or "fail REASON SECONDS"; exits 0 only for ok. Usage:
login_probe.py HOST USER PASSWORD TIMEOUT."""
import os
import socket
import ssl
import sys
import time

from common import WELCOME, answer, bye, login, tls_context

if len(sys.argv) != 5:
    sys.exit("usage: login_probe.py HOST USER PASSWORD TIMEOUT")
host, user, password, timeout = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
start = time.monotonic()
try:
    # one timeout for every step; the total is checked below
    sock, mtype, code = login(tls_context(), host, "probe-" + os.urandom(3).hex(), user, password, timeout)
    result = "ok" if mtype == WELCOME else "refused " + answer(mtype, code)
    if sock is not None:
        sock.sendall(bye())
        sock.close()
except socket.timeout:
    result = "timeout"
except (OSError, ssl.SSLError, ConnectionError) as e:
    result = type(e).__name__
elapsed = time.monotonic() - start
if result == "ok" and elapsed > timeout:
    result = "slow"
print("%s %.2f" % ("ok" if result == "ok" else "fail " + result, elapsed))
sys.exit(0 if result == "ok" else 1)
