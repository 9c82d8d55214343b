#!/usr/bin/env bash
# Throughput (iperf3) and round trip (ping) from a SERVAL client through a SERVAL node to a host behind a bridged
# interface, beside client to client (issue 15; bench/README.md). Four namespaces this script makes and removes:
# the server (bench/serval-server.sh), two clients (bench/serval-client.sh, TAP serval0 in VLAN "bench") and a
# host whose veth's other end the node bridges to "bench" as an access port. Environment: DURATION (iperf3
# seconds, default 10), PINGS (default 20), SERVAL_TRANSPORT (tcp|udp, default tcp), SERVAL_ENCRYPTION (on|off).
# Needs root, iperf3, python3, and a build (./serval build: the distribution and the client).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dist="$root/distribution/target/serval-distribution-0.1.0-SNAPSHOT.tar.gz"
[ -f "$dist" ] && [ -d "$root/client/target/lib" ] || { echo "build first: ./serval build" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "needs root (namespaces)" >&2; exit 1; }
duration=${DURATION:-10}
pings=${PINGS:-20}
export SERVAL_DIST=$dist
export SERVAL_TRANSPORT=${SERVAL_TRANSPORT:-tcp}
export SERVAL_ENCRYPTION=${SERVAL_ENCRYPTION:-on}
RUN_DIR=$(mktemp -d /tmp/serval-bridge-bench.XXXXXX)
export RUN_DIR
tag="svbb$$"
server=$tag-s c1=$tag-c1 c2=$tag-c2 host=$tag-h
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  # whatever still runs in these namespaces was started here (Karaf's JVM outlives its start script)
  for ns in "$server" "$c1" "$c2" "$host"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
  done
  sleep 2
  for ns in "$server" "$c1" "$c2" "$host"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
  rm -rf "$RUN_DIR"
}
trap cleanup EXIT INT TERM
for ns in "$server" "$c1" "$c2" "$host"; do
  ip netns add "$ns"
  ip -n "$ns" link set lo up
done
# the clients reach the server over veths of their own (10.200.N.0/24, as the shared harness's clients do)
n=1
for ns in "$c1" "$c2"; do
  ip -n "$server" link add "c$n" type veth peer name eth0 netns "$ns"
  ip -n "$server" addr add "10.200.$n.1/24" dev "c$n"
  ip -n "$ns" addr add "10.200.$n.2/24" dev eth0
  ip -n "$server" link set "c$n" up
  ip -n "$ns" link set eth0 up
  n=$((n + 1))
done
# the host behind the bridge: hb0 stays in the server's namespace, bridged; the host's end has an address in the
# VLAN's subnet (10.99.0.0/24, as the clients' TAPs below)
ip -n "$server" link add hb0 type veth peer name eth0 netns "$host"
ip -n "$server" link set hb0 up
ip -n "$host" addr add 10.99.0.3/24 dev eth0
ip -n "$host" link set eth0 up

ip netns exec "$server" "$root/bench/serval-server.sh" > "$RUN_DIR/server.log" 2>&1 &
pids+=($!)
i=0
until [ -e "$RUN_DIR/serval-ready" ]; do
  i=$((i + 1)); [ $i -lt 480 ] || { echo "SERVAL did not come up; see $RUN_DIR/server.log" >&2; exit 1; }
  sleep 0.5
done
api() { ip netns exec "$server" curl -sf -u admin:admin -H 'Content-Type: application/json' "$@"; }
node=$(api 'http://127.0.0.1:8181/rests/data/serval:nodes?content=nonconfig' | grep -o '"id":"[^"]*"' | head -1 \
  | cut -d'"' -f4)
api -X PUT -d '{"serval:bridge":[{"interface":"hb0","mode":"access","vlan":"bench"}]}' \
  "http://127.0.0.1:8181/rests/data/serval:nodes-config/node=$node/bridge=hb0"

n=1
for ns in "$c1" "$c2"; do
  SERVER_IP=10.200.$n.1 ip netns exec "$ns" "$root/bench/serval-client.sh" > "$RUN_DIR/client$n.log" 2>&1 &
  pids+=($!)
  i=0
  until ip -n "$ns" -o link show serval0 2>/dev/null | grep -q '<[^>]*\bUP\b'; do
    i=$((i + 1)); [ $i -lt 240 ] || { echo "client $n made no TAP; see $RUN_DIR/client$n.log" >&2; exit 1; }
    sleep 0.5
  done
  ip -n "$ns" addr add "10.99.0.$n/24" dev serval0
  n=$((n + 1))
done
for to in 10.99.0.2 10.99.0.3; do
  i=0
  until ip netns exec "$c1" ping -c 1 -W 1 "$to" > /dev/null; do
    i=$((i + 1)); [ $i -lt 60 ] || { echo "$to is not reachable from client 1" >&2; exit 1; }
  done
done

# iperf3 from FROM to the server at ADDRESS in TO (with -R: the other way); prints Mbit/s received
iperf() {
  local from=$1 to=$2 address=$3
  shift 3
  ip netns exec "$to" iperf3 -s -1 -B "$address" > /dev/null 2>&1 &
  local listener=$!
  sleep 0.5
  ip netns exec "$from" iperf3 -c "$address" -t "$duration" -J "$@" \
    | python3 -c 'import json, sys; print("%.0f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e6))'
  wait "$listener" 2>/dev/null || true
}
# ping from FROM to ADDRESS; prints "avg (min / max)" in ms
rtt() {
  ip netns exec "$1" ping -c "$pings" -i 0.2 -q "$2" \
    | sed -n 's|.*= \([0-9.]*\)/\([0-9.]*\)/\([0-9.]*\)/.*|\2 (\1 / \3)|p'
}
echo "SERVAL $(git -C "$root" rev-parse --short HEAD), ${SERVAL_TRANSPORT^^}, encryption $SERVAL_ENCRYPTION," \
  "${duration} s iperf3, $pings pings"
echo "| path | throughput Mbit/s | round trip ms avg (min / max) |"
echo "|---|---|---|"
echo "| client -> client | $(iperf "$c1" "$c2" 10.99.0.2) | $(rtt "$c1" 10.99.0.2) |"
echo "| client -> host behind the bridged interface | $(iperf "$c1" "$host" 10.99.0.3) | $(rtt "$c1" 10.99.0.3) |"
echo "| host behind the bridged interface -> client | $(iperf "$c1" "$host" 10.99.0.3 -R) | $(rtt "$host" 10.99.0.1) |"
