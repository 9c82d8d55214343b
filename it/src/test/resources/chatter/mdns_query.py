# Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
#
# This program and the accompanying materials are made available under the
# terms of the Eclipse Public License v1.0 which accompanies this distribution,
# and is available at http://www.eclipse.org/legal/epl-v10.html
"""An mDNS querier for ChatterTest: asks for PTR records of a service type over IPv4 multicast from port 5353
(so the answer comes back by multicast, as between full mDNS hosts), repeating the question every second, and
succeeds when an answer names the expected instance.
Usage: mdns_query.py LOCAL_ADDRESS SERVICE_TYPE INSTANCE SECONDS"""
import socket
import struct
import sys
import time

GROUP = "224.0.0.251"


def query(name):
    labels = b"".join(bytes([len(part)]) + part.encode() for part in name.rstrip(".").split("."))
    return struct.pack("!HHHHHH", 0, 0, 1, 0, 0, 0) + labels + b"\x00" + struct.pack("!HH", 12, 1)


def main():
    local, service, instance, seconds = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("", 5353))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                    socket.inet_aton(GROUP) + socket.inet_aton(local))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(local))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
    sock.settimeout(0.2)
    question = query(service)
    marker = instance.encode()
    end = time.time() + seconds
    asked = 0.0
    while time.time() < end:
        if time.time() - asked >= 1:
            sock.sendto(question, (GROUP, 5353))
            asked = time.time()
        try:
            data, sender = sock.recvfrom(9000)
        except socket.timeout:
            continue
        flags = struct.unpack("!H", data[2:4])[0]
        if flags & 0x8000 and marker in data:
            print("answer from %s: %d bytes" % (sender[0], len(data)))
            return 0
    print("no answer")
    return 1


if __name__ == "__main__":
    sys.exit(main())
