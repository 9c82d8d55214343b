#!/usr/bin/env bash
# A node's port onto a Linux interface, two ways (issue 15, bench/README.md): (a) SERVAL's packet socket (AF_PACKET
# with its BPF filter) on a veth, (b) a TAP enslaved with a veth to a Linux bridge. Frames/s from the wire into
# the port and out of it, and the round trip of one frame, for each; both in a namespace this script makes and
# removes. Environment: DURATION (seconds per figure, default 10), SIZE (frame bytes, default 64).
# Needs root and a built benchmarks module (./mvnw -pl benchmarks -am package -DskipTests).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
java_home=$("$here/scripts/java-home.sh")
duration=${DURATION:-10}
size=${SIZE:-64}
lib="$here/benchmarks/target/lib"
[ -d "$lib" ] || { echo "build first: ./mvnw -pl benchmarks -am package -DskipTests" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "needs root (namespaces, packet sockets)" >&2; exit 1; }
ns="svbp$$"
cleanup() { ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT INT TERM
ip netns add "$ns"
in_ns() { ip netns exec "$ns" "$@"; }
in_ns ip link set lo up
# (a) the port's packet socket on pa0, the wire on pa1
in_ns ip link add pa0 type veth peer name pa1
# (b) the port's TAP in bridge br0 with pb0, the wire on pb1; no STP, no forwarding delay
in_ns ip link add pb0 type veth peer name pb1
in_ns ip link add br0 type bridge stp_state 0 forward_delay 0
in_ns ip tuntap add dev tap0 mode tap
in_ns ip link set pb0 master br0
in_ns ip link set tap0 master br0
for dev in pa0 pa1 pb0 pb1 br0 tap0; do
  # no IPv6 on the test links: the kernel's own solicitations would be frames too
  in_ns sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1" 2>/dev/null || true
  in_ns ip link set "$dev" up
done
run() {
  in_ns "$java_home/bin/java" --enable-native-access=ALL-UNNAMED -cp "$here/benchmarks/target/classes:$lib/*" \
    org.serval.benchmarks.BridgePortMeasurement "$@" "$duration" "$size"
}
echo "| port | frame bytes | wire -> port frames/s | lost | port -> wire frames/s | lost | round trip p50 µs | p99 µs |"
echo "|---|---|---|---|---|---|---|---|"
run packet pa0 pa1
run tap tap0 pb1
