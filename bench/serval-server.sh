#!/bin/sh
# Starts a SERVAL server for the shared bench harness (systems/serval.sh runs it in the server namespace):
# a fresh copy of the built distribution in $RUN_DIR, the dataplane on port 4000, VLAN "bench" created once
# RESTCONF answers. Runs in the foreground until the harness kills it.
set -eu
dist=${SERVAL_DIST:?}
home="$RUN_DIR/serval"
rm -rf "$home" && mkdir -p "$home"
tar -xzf "$dist" -C "$home" --strip-components=1
# SERVAL_THREADS: event loops per dataplane transport (default: one per core)
if [ -n "${SERVAL_THREADS:-}" ]; then
  echo "dataplane.threads = $SERVAL_THREADS" >> "$home/etc/org.serval.controller.cfg"
fi
"$home/bin/karaf" server &
karaf=$!
trap 'kill $karaf 2>/dev/null; pkill -P $karaf 2>/dev/null; exit 0' TERM INT
i=0
until curl -sf -o /dev/null -u admin:admin -H 'Content-Type: application/json' -d '{"input":{"name":"bench"}}' \
    http://127.0.0.1:8181/rests/operations/serval:create-vlan; do
  i=$((i + 1)); [ $i -lt 240 ] || { echo "SERVAL did not come up" >&2; exit 1; }
  sleep 0.5
done
echo "SERVAL up with VLAN bench"
wait $karaf
