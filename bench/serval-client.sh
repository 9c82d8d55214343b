#!/bin/sh
# Starts a SERVAL client for the shared bench harness (in a client namespace): joins VLAN "bench" with TAP
# serval0, retrying while the server is still booting (exit codes 3 and 4: unreachable, VLAN not created yet).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
i=0
while :; do
  "$here/client/bin/serval-client" --server "$SERVER_IP:4000" --id "$(ip -o -4 addr show | awk '/10\.200/ {print $4}' | cut -d/ -f1)" \
    --vlan bench=serval0 --status 0
  rc=$?
  [ $rc -eq 3 ] || [ $rc -eq 4 ] || exit $rc
  i=$((i + 1)); [ $i -lt 240 ] || exit $rc
  sleep 0.5
done
