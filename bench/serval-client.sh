#!/bin/sh
# Starts a SERVAL client for the shared bench harness (in a client namespace): TAP serval0 in VLAN "bench" as
# user "bench", pinning the certificate the server left in $RUN_DIR (or --plaintext with SERVAL_ENCRYPTION=off),
# retrying while the server in the server namespace is still booting (up to 6 minutes: a cluster of two
# members boots in about two). SERVAL_PORT (default 4000) and
# SERVAL_FINGERPRINT_FILE (default $RUN_DIR/serval-fingerprint) pick a member of a cluster (serval-cluster).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
id=$(ip -o -4 addr show | awk '/10\.200\./ {split($4, a, "/"); print a[1]; exit}')
i=0
until [ -e "$RUN_DIR/serval-ready" ]; do
  i=$((i + 1)); [ $i -lt 720 ] || { echo "the server did not get ready" >&2; exit 1; }
  sleep 0.5
done
if [ "${SERVAL_ENCRYPTION:-on}" = off ]; then
  trust=--plaintext
else
  trust="--pin $(cat "${SERVAL_FINGERPRINT_FILE:-$RUN_DIR/serval-fingerprint}")"
fi
export SERVAL_PASSWORD=bench
# shellcheck disable=SC2086
exec "$here/client/bin/serval-client" --server "$SERVER_IP:${SERVAL_PORT:-4000}" --transport "${SERVAL_TRANSPORT:-tcp}" \
  --id "bench-$id" --vlan bench=serval0 --status 0 --retry 180 --user bench $trust
