#!/bin/sh
# Starts a SERVAL cluster of two members for the shared bench harness (systems/serval-cluster.sh runs it in the
# server namespace): fresh copies of the built distribution in $RUN_DIR/member-1 and member-2, made members 1 and 2
# of 2 on the server's address by scripts/cluster.sh (Pekko over TLS, each member with its own ports: dataplane 4000
# and 4001, node links 4100 and 4101, RESTCONF 8181 and 8182), the node link between them TLS 1.3 with the nodes'
# certificates as in production. Once both members are in each one's node list: user "bench" and the open VLAN
# "bench", each member's certificate fingerprint in $RUN_DIR/serval-fingerprint-M for its client to pin, and
# $RUN_DIR/serval-ready. Two members make a cluster whose datastore needs both for a majority: enough for a
# benchmark, where neither is killed (docs/cluster.md: three or five in production).
# SERVAL_ENCRYPTION=off and SERVAL_THREADS as for serval-server.sh (plaintext makes the node link plaintext too).
# Runs in the foreground until the harness kills it.
set -eu
dist=${SERVAL_DIST:?}
root=$(cd "$(dirname "$0")/.." && pwd)
host=${SERVER_IP:?}
rm -rf "$RUN_DIR/member-1" "$RUN_DIR/member-2" "$RUN_DIR/cluster-keys" "$RUN_DIR"/serval-fingerprint* \
  "$RUN_DIR/serval-ready"
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null; pkill -P "$p" 2>/dev/null; done; exit 0' TERM INT
for m in 1 2; do
  home="$RUN_DIR/member-$m"
  mkdir -p "$home"
  tar -xzf "$dist" -C "$home" --strip-components=1
  SERVAL_CLUSTER_KEYS="$RUN_DIR/cluster-keys" "$root/scripts/cluster.sh" configure "$home" "$m" 2 "$host" >/dev/null
  if [ -n "${SERVAL_THREADS:-}" ]; then
    echo "dataplane.threads = $SERVAL_THREADS" >> "$home/etc/org.serval.controller.cfg"
  fi
  if [ "${SERVAL_ENCRYPTION:-on}" = off ]; then
    echo "dataplane.plaintext = true" >> "$home/etc/org.serval.controller.cfg"
  fi
  "$home/bin/karaf" server >"$RUN_DIR/member-$m.out" 2>&1 &
  pids="$pids $!"
done
rc() { curl -sf -o /dev/null -u admin:admin -H 'Content-Type: application/json' -d "$2" \
  "http://127.0.0.1:8181/rests/operations/serval:$1"; }
# The fingerprint of member M's certificate as its own node list entry gives it, once both members are listed.
fingerprint() {
  curl -sf -m 5 -u admin:admin "http://127.0.0.1:$((8180 + $1))/rests/data/serval:nodes?content=nonconfig" \
    | python3 -c 'import json, sys
nodes = json.load(sys.stdin)["serval:nodes"]["node"]
mine = [n.get("tls-fingerprint", "") for n in nodes if n["id"] == "member-" + sys.argv[1]]
print(mine[0] if len(nodes) == 2 and mine and mine[0] else "")' "$1"
}
i=0
until rc create-vlan '{"input":{"name":"bench","open":true}}'; do
  i=$((i + 1)); [ $i -lt 480 ] || { echo "the SERVAL cluster did not come up" >&2; exit 1; }
  sleep 0.5
done
rc set-password '{"input":{"user":"bench","password":"bench"}}'
curl -sf -u admin:admin -X PATCH -H 'Content-Type: application/json' \
  -d '{"serval:users":{"user":[{"name":"bench","max-clients":1000}]}}' http://127.0.0.1:8181/rests/data/serval:users
for m in 1 2; do
  i=0
  until f=$(fingerprint $m 2>/dev/null) && [ -n "$f" ]; do
    i=$((i + 1)); [ $i -lt 240 ] || { echo "member $m is not in the node list" >&2; exit 1; }
    sleep 0.5
  done
  if [ "${SERVAL_ENCRYPTION:-on}" = off ]; then f=plaintext; fi
  echo "$f" > "$RUN_DIR/serval-fingerprint-$m"
done
# The user exists only now: clients wait for this, since a login refused is not retried.
if [ -n "${SERVAL_NODE_LINK_LOSS:-}" ]; then
  # Loss on the node link only (the members' TCP connection between ports 4100 and 4101, over this namespace's
  # loopback), in permille of its segments each way: what a lossy path between two nodes does to the clients' TCP
  # carried inside the node link's.
  command -v nft >/dev/null || { echo "SERVAL_NODE_LINK_LOSS needs nft (apt-get install nftables)" >&2; exit 1; }
  nft add table inet serval_loss
  nft add chain inet serval_loss out '{ type filter hook output priority 0; }'
  nft add rule inet serval_loss out oif lo tcp sport '{ 4100, 4101 }' numgen random mod 1000 '<' "$SERVAL_NODE_LINK_LOSS" \
    counter drop
  nft add rule inet serval_loss out oif lo tcp dport '{ 4100, 4101 }' numgen random mod 1000 '<' "$SERVAL_NODE_LINK_LOSS" \
    counter drop
  nft add rule inet serval_loss out oif lo tcp sport '{ 4100, 4101 }' counter
  nft add rule inet serval_loss out oif lo tcp dport '{ 4100, 4101 }' counter
  # what was dropped and what passed, in the run's directory until the harness stops the cluster
  (while sleep 2; do nft list table inet serval_loss > "$RUN_DIR/node-link-loss.txt"; done) &
  pids="$pids $!"
fi
touch "$RUN_DIR/serval-ready"
echo "SERVAL cluster of two members up with VLAN bench (encryption ${SERVAL_ENCRYPTION:-on})"
wait
