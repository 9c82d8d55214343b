#!/usr/bin/env bash
# SERVAL after it has run a while: the harness's topology and tests (../shared/bench), but measured once the
# server and clients have carried WARM seconds of traffic (default 30), as a long-running node and its clients
# would have. The harness itself measures a just-started SERVAL; this is the other end of the range.
#   bench/warm-run.sh            one row: TCP x1, TCP x4, UDP 64 B received, ping avg/p99 (as the harness does them)
# Environment: DURATION (s per iperf3 test, default 10), PINGS (default 200), WARM, SERVAL_TRANSPORT,
# SERVAL_ENCRYPTION. Needs root and the harness's packages; leaves nothing behind.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export BENCH_DIR=${BENCH_DIR_OVERRIDE:-$root/../shared/bench}
# shellcheck source=/dev/null
. "$BENCH_DIR/lib/common.sh"
# shellcheck source=/dev/null
. "$BENCH_DIR/lib/topo.sh"
DURATION=${DURATION:-10}
PINGS=${PINGS:-200}
WARM=${WARM:-30}
export SERVAL_DIST="$root/distribution/target/serval-distribution-0.1.0-SNAPSHOT.tar.gz"
[ -f "$SERVAL_DIST" ] && [ -d "$root/client/target/lib" ] || "$root/serval" build
export SERVAL_SERVER="exec '$root/bench/serval-server.sh'"
export SERVAL_CLIENT="exec '$root/bench/serval-client.sh'"
export SERVAL_IFACE=serval0
export SERVAL_TRANSPORT=${SERVAL_TRANSPORT:-tcp}
export SERVAL_ENCRYPTION=${SERVAL_ENCRYPTION:-on}
RUN_DIR=$(mktemp -d /tmp/serval-warm.XXXXXX)
export RUN_DIR
trap 'topo_down; rm -rf "$RUN_DIR"' EXIT
topo_up 1
"$BENCH_DIR/systems/serval.sh" up serval >"$RUN_DIR/up.log" 2>&1 || { echo "SERVAL did not start" >&2; exit 1; }
for _ in $(seq 600); do
  nsx "$NS_C1" ping -c1 -W1 "$OVL_C2" >/dev/null 2>&1 && break
  sleep 0.2
done
nsx "$NS_C2" iperf3 -s -B "$OVL_C2" >/dev/null 2>&1 &
sleep 0.5
# the warm-up traffic: both directions, big and small frames
nsx "$NS_C1" iperf3 -c "$OVL_C2" -B "$OVL_C1" -t $((WARM / 2)) >/dev/null 2>&1
nsx "$NS_C1" iperf3 -c "$OVL_C2" -B "$OVL_C1" -t $((WARM / 2)) -u -l 64 -b 0 >/dev/null 2>&1
nsx "$NS_C1" ping -c 500 -i 0.002 -q "$OVL_C2" >/dev/null 2>&1
ping_out=$(nsx "$NS_C1" ping -c "$PINGS" -i 0.01 -W 1 "$OVL_C2")
iperf_json() { nsx "$NS_C1" iperf3 -c "$OVL_C2" -B "$OVL_C1" -t "$DURATION" -J "$@"; }
tcp1=$(iperf_json)
tcp4=$(iperf_json -P 4)
udp64=$(iperf_json -u -l 64 -b 0 --get-server-output)
python3 - "$WARM" "$ping_out" "$tcp1" "$tcp4" "$udp64" <<'PY'
import json, re, statistics, sys
times = sorted(float(t) for t in re.findall(r"time=([0-9.]+)", sys.argv[2]))
tcp1, tcp4, udp = (json.loads(a) for a in sys.argv[3:6])
mbps = lambda d: d["end"]["sum_received"]["bits_per_second"] / 1e6
# what the receiver got, as the harness counts it
recv = udp["server_output_json"]["end"]["sum"] if "server_output_json" in udp else udp["end"]["sum"]
pps = (recv["packets"] - recv["lost_packets"]) / recv["seconds"] / 1000
p99 = times[min(len(times) - 1, int(round(0.99 * (len(times) - 1))))]
print("| serval, after %s s of traffic | %.0f | %.0f | %.1f | %.3f/%.3f/%.3f |" % (
    sys.argv[1], mbps(tcp1), mbps(tcp4), pps, times[0], statistics.mean(times), p99))
PY
