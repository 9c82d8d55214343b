#!/bin/sh
# Starts a SERVAL client for the shared bench harness (in a client namespace): TAP serval0 in VLAN "bench",
# retrying while the server in the server namespace is still booting.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
id=$(ip -o -4 addr show | awk '/10\.200\./ {split($4, a, "/"); print a[1]; exit}')
exec "$here/client/bin/serval-client" --server "$SERVER_IP:4000" --transport "${SERVAL_TRANSPORT:-tcp}" \
  --id "bench-$id" --vlan bench=serval0 --status 0 --retry 180
