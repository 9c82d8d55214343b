# Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
#
# This program and the accompanying materials are made available under the
# terms of the Eclipse Public License v1.0 which accompanies this distribution,
# and is available at http://www.eclipse.org/legal/epl-v10.html
"""Multicast for ChatterTest, over real sockets:
  mcast.py send LOCAL GROUP PORT COUNT      sends COUNT datagrams to GROUP:PORT, 2 ms apart, from LOCAL
  mcast.py recv LOCAL GROUP PORT SECONDS    joins GROUP on LOCAL's interface, prints "ready", then after SECONDS
                                            the number of datagrams received
  mcast.py sniff IFACE MAC SECONDS [SRC]    prints "ready", then after SECONDS the number of frames to MAC that
                                            arrived on IFACE (a packet socket, whatever the host joined), only
                                            those from the MAC SRC when it is given"""
import select
import socket
import struct
import sys
import time


def send(local, group, port, count):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(local))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    for i in range(count):
        sock.sendto(b"serval-chatter-%06d" % i, (group, port))
        time.sleep(0.002)
    print("sent %d" % count)


def count_until(sock, seconds, accept):
    print("ready", flush=True)
    end = time.time() + seconds
    received = 0
    while True:
        left = end - time.time()
        if left <= 0:
            break
        if select.select([sock], [], [], left)[0]:
            data = sock.recv(65535)
            if accept(data):
                received += 1
    print(received, flush=True)


def recv(local, group, port, seconds):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((group, port))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton(group) + socket.inet_aton(local))
    count_until(sock, seconds, lambda data: data.startswith(b"serval-chatter-"))


def sniff(iface, mac, seconds, source=None):
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    sock.bind((iface, 0))
    wanted = bytes.fromhex(mac.replace(":", ""))
    sender = bytes.fromhex(source.replace(":", "")) if source else None
    count_until(sock, seconds, lambda frame: frame[:6] == wanted and (sender is None or frame[6:12] == sender))


def main():
    mode = sys.argv[1]
    if mode == "send":
        send(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    elif mode == "recv":
        recv(sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5]))
    elif mode == "sniff":
        sniff(sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5] if len(sys.argv) > 5 else None)
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
