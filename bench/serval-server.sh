#!/bin/sh
# Starts a SERVAL server for the shared bench harness (systems/serval.sh runs it in the server namespace):
# a fresh copy of the built distribution in $RUN_DIR, the dataplane on port 4000, user "bench" and the open VLAN
# "bench" created once RESTCONF answers, the certificate's fingerprint left in $RUN_DIR for the clients to pin, and
# $RUN_DIR/serval-ready when all that is done.
# SERVAL_ENCRYPTION=off runs both transports in plaintext (the clients are then told --plaintext too).
# Runs in the foreground until the harness kills it.
set -eu
dist=${SERVAL_DIST:?}
home="$RUN_DIR/serval"
rm -rf "$home" "$RUN_DIR/serval-fingerprint" "$RUN_DIR/serval-ready" && mkdir -p "$home"
tar -xzf "$dist" -C "$home" --strip-components=1
# SERVAL_THREADS: event loops per dataplane transport (default: one per core)
if [ -n "${SERVAL_THREADS:-}" ]; then
  echo "dataplane.threads = $SERVAL_THREADS" >> "$home/etc/org.serval.controller.cfg"
fi
if [ "${SERVAL_ENCRYPTION:-on}" = off ]; then
  echo "dataplane.plaintext = true" >> "$home/etc/org.serval.controller.cfg"
fi
"$home/bin/karaf" server &
karaf=$!
trap 'kill $karaf 2>/dev/null; pkill -P $karaf 2>/dev/null; exit 0' TERM INT
rc() { curl -sf -o /dev/null -u admin:admin -H 'Content-Type: application/json' -d "$2" \
  "http://127.0.0.1:8181/rests/operations/serval:$1"; }
i=0
until rc create-vlan '{"input":{"name":"bench","open":true}}'; do
  i=$((i + 1)); [ $i -lt 240 ] || { echo "SERVAL did not come up" >&2; exit 1; }
  sleep 0.5
done
rc set-password '{"input":{"user":"bench","password":"bench"}}'
curl -sf -u admin:admin -X PATCH -H 'Content-Type: application/json' \
  -d '{"serval:users":{"user":[{"name":"bench","max-clients":1000}]}}' http://127.0.0.1:8181/rests/data/serval:users
curl -sf -u admin:admin 'http://127.0.0.1:8181/rests/data/serval:nodes?content=nonconfig' \
  | sed -n 's/.*"tls-fingerprint":"\([0-9a-f]*\)".*/\1/p' > "$RUN_DIR/serval-fingerprint.tmp"
mv "$RUN_DIR/serval-fingerprint.tmp" "$RUN_DIR/serval-fingerprint"
# The user exists only now: clients wait for this, since a login refused is not retried.
touch "$RUN_DIR/serval-ready"
echo "SERVAL up with VLAN bench (encryption ${SERVAL_ENCRYPTION:-on})"
wait $karaf
