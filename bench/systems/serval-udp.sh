#!/usr/bin/env bash
# serval-udp: SERVAL with its clients on the UDP transport (sealed datagrams, GSO/GRO), beside `serval` (TCP) in
# one run of the shared harness (plugin contract: ../shared/bench/README.md). Same server and client scripts as
# `serval`; only the clients' --transport differs. bench/run.sh adds this plugin and exports what it needs; run
# alone it skips.
set -e
. "$BENCH_DIR/lib/common.sh"
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
case "$1" in
  variants) echo serval-udp ;;
  info) echo "${SERVAL_UDP_INFO:-SERVAL, clients over sealed UDP}" ;;
  up)
    if [ -z "${SERVAL_DIST:-}" ]; then
      echo "SERVAL_DIST not set (bench/run.sh sets it): skipping serval-udp"; exit 3
    fi
    bg "$NS_SERVER" server "$root/bench/serval-server.sh"
    sleep 1
    bg "$NS_C1" c1 env SERVAL_TRANSPORT=udp "$root/bench/serval-client.sh"
    bg "$NS_C2" c2 env SERVAL_TRANSPORT=udp "$root/bench/serval-client.sh"
    ovl_addr "$NS_C1" serval0 "$OVL_C1"
    ovl_addr "$NS_C2" serval0 "$OVL_C2" ;;
  down) : ;;
  *) echo "usage: $0 variants|info|up|down [variant]" >&2; exit 2 ;;
esac
