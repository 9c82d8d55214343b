#!/usr/bin/env bash
# serval-cluster: SERVAL as two nodes of one cluster, for the shared harness (plugin contract:
# ../shared/bench/README.md). Both members run in the server namespace on its address (serval-cluster-server.sh),
# c1 is a client of member 1 (port 4000) and c2 of member 2 (port 4001), so every frame c1 -> c2 crosses the node
# link between the members (TLS 1.3, as in production). bench/run.sh adds this plugin to the harness's systems and
# exports what it needs (SERVAL_DIST, SERVAL_TRANSPORT, SERVAL_ENCRYPTION); run alone it skips.
set -e
. "$BENCH_DIR/lib/common.sh"
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
case "$1" in
  variants) echo serval-cluster ;;
  info) echo "${SERVAL_CLUSTER_INFO:-SERVAL two-member cluster, c1 on member 1, c2 on member 2}" ;;
  up)
    if [ -z "${SERVAL_DIST:-}" ]; then
      echo "SERVAL_DIST not set (bench/run.sh sets it): skipping serval-cluster"; exit 3
    fi
    bg "$NS_SERVER" server "$root/bench/serval-cluster-server.sh"
    for c in 1 2; do
      ns=NS_C$c
      bg "${!ns}" "c$c" env SERVAL_PORT=$((3999 + c)) SERVAL_FINGERPRINT_FILE="$RUN_DIR/serval-fingerprint-$c" \
        "$root/bench/serval-client.sh"
    done
    # The clients make their TAPs only once both members are up, which takes longer than the harness gives "up"
    # (120 s in all): the addresses go on in the background, and the harness waits for the overlay (UP_TIMEOUT).
    for c in 1 2; do
      ns=NS_C$c
      ovl=OVL_C$c
      bg "${!ns}" "c$c-address" sh -c 'for _ in $(seq 600); do ip link show serval0 >/dev/null 2>&1 && break
        sleep 0.5; done; ip addr replace "$0/$1" dev serval0 && ip link set serval0 up' "${!ovl}" "$OVL_PREFIX"
    done ;;
  down) : ;;
  *) echo "usage: $0 variants|info|up|down [variant]" >&2; exit 2 ;;
esac
