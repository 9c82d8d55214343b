"""What the attackers of bench/attack.sh share: the wire format of docs/protocol.md (only the messages they send or
read), a TLS context that trusts anything (the attacker does not care whom it talks to), a deadline, and the one JSON
line of counts each attacker prints when it stops (by its deadline or by SIGTERM from the script)."""
import json
import signal
import socket
import ssl
import struct
import sys
import time

PORT = 4000

HELLO, WELCOME, LIST_VLANS, KEEPALIVE, ERROR, BYE = 0x01, 0x02, 0x07, 0x0B, 0x0E, 0x0F
ERRORS = {1: "unsupported-version", 2: "auth-failed", 3: "unknown-vlan", 4: "vlan-full", 5: "denied", 6: "malformed",
          7: "limit", 8: "internal", 9: "moved"}


def answer(mtype, code):
    """How a refused login was answered: the error's name, or the message type."""
    if mtype == ERROR:
        return ERRORS.get(code, "error-%s" % code)
    return "type-%d" % mtype


def msg(mtype, body):
    return struct.pack("!BBH", 1, mtype, len(body)) + body


def str8(s):
    b = s.encode()
    return struct.pack("!B", len(b)) + b


def hello(client_id, user, password):
    pw = password.encode()
    return msg(HELLO, struct.pack("!B", 1) + str8(client_id) + b"\x00" + str8(user)
               + struct.pack("!BH", 1, len(pw)) + pw)


def keepalive(seq):
    return msg(KEEPALIVE, struct.pack("!I", seq & 0xFFFFFFFF))


def list_vlans(req):
    return msg(LIST_VLANS, struct.pack("!I", req & 0xFFFFFFFF) + b"\x00")


def bye():
    return msg(BYE, b"\x00")


def tls_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    return ctx


def read_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return buf


def read_msg(sock):
    """One message: (type, body)."""
    _, mtype, length = struct.unpack("!BBH", read_exact(sock, 4))
    return mtype, read_exact(sock, length)


def login(ctx, host, client_id, user, password, timeout, source=None):
    """TLS + HELLO (from address `source` when given); returns (socket, reply type, error code or None). The socket
    is open only on WELCOME."""
    raw = socket.create_connection((host, PORT), timeout=timeout, source_address=(source, 0) if source else None)
    try:
        sock = ctx.wrap_socket(raw)
        sock.sendall(hello(client_id, user, password))
        mtype, body = read_msg(sock)
    except BaseException:
        raw.close()
        raise
    if mtype == WELCOME:
        return sock, mtype, None
    code = struct.unpack("!H", body[4:6])[0] if mtype == ERROR and len(body) >= 6 else None
    sock.close()
    return None, mtype, code


class Run:
    """The attacker's clock and counts: stop() is true after `seconds` or once SIGTERM came; report() prints the
    counts once, as one JSON line on stdout."""

    def __init__(self, seconds):
        self.end = time.monotonic() + seconds
        self.stopped = False
        self.counts = {}
        self.reported = False
        signal.signal(signal.SIGTERM, self._term)

    def _term(self, *_):
        self.stopped = True

    def stop(self):
        return self.stopped or time.monotonic() >= self.end

    def add(self, key, n=1):
        self.counts[key] = self.counts.get(key, 0) + n

    def peak(self, key, value):
        self.counts[key] = max(self.counts.get(key, 0), value)

    def report(self):
        if not self.reported:
            self.reported = True
            print(json.dumps(self.counts, sort_keys=True), flush=True)


def args(usage, *names):
    """Positional arguments, `seconds` always first: a bad call says how to call."""
    if len(sys.argv) != len(names) + 1:
        sys.exit("usage: %s %s" % (sys.argv[0], usage))
    return sys.argv[1:]
