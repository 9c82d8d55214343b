#!/usr/bin/env bash
# Runs the shared bench harness (../shared/bench) with SERVAL beside the peers, on this checkout's build.
#   bench/run.sh                          every system the harness knows, SERVAL among them (~8 min a round)
#   bench/run.sh baseline-bridge serval   SERVAL and the kernel bridge only (~2 min)
#   bench/run.sh serval openvpn tinc      any systems/variants (../shared/bench/peers.sh --list)
#   bench/run.sh serval serval-cluster    SERVAL on one node and as two nodes of a cluster (bench/systems/)
#   bench/run.sh serval serval-udp        SERVAL's clients over TCP and over UDP, in one run (bench/systems/)
# Environment as for peers.sh (DURATION, PINGS, ROUNDS, ...), and SERVAL_TRANSPORT=tcp|udp (default tcp) for the
# transport SERVAL's clients use. Needs root and the harness's packages.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench=${BENCH_DIR_OVERRIDE:-$root/../shared/bench}
dist="$root/distribution/target/serval-distribution-0.1.0-SNAPSHOT.tar.gz"
[ -f "$dist" ] && [ -d "$root/client/target/lib" ] || "$root/serval" build
export SERVAL_DIST=$dist
export SERVAL_SERVER="exec '$root/bench/serval-server.sh'"
export SERVAL_CLIENT="exec '$root/bench/serval-client.sh'"
export SERVAL_IFACE=serval0
export SERVAL_TRANSPORT=${SERVAL_TRANSPORT:-tcp}
export SERVAL_ENCRYPTION=${SERVAL_ENCRYPTION:-on}
export SERVAL_INFO="SERVAL $(git -C "$root" rev-parse --short HEAD) ${SERVAL_TRANSPORT^^}, encryption $SERVAL_ENCRYPTION (TLS 1.3 / AES-GCM), one JVM server"
export SERVAL_UDP_INFO="SERVAL $(git -C "$root" rev-parse --short HEAD) UDP, encryption $SERVAL_ENCRYPTION (sealed AES-GCM datagrams, GSO/GRO), one JVM server"
export SERVAL_CLUSTER_INFO="SERVAL $(git -C "$root" rev-parse --short HEAD) ${SERVAL_TRANSPORT^^}, encryption $SERVAL_ENCRYPTION, two cluster members in the server namespace (c1 on member 1, c2 on member 2, node link TLS 1.3)"
# Karaf boots in the server namespace before the clients can join (two of them for serval-cluster, about two minutes
# on two cores): give the overlay longer than the default.
export UP_TIMEOUT=${UP_TIMEOUT:-240}
# The harness writes results/ beside itself; shared/ may be read-only, so point it at ours.
export RESULTS=${RESULTS:-$root/docs/bench-results}
mkdir -p "$RESULTS"
# SERVAL's own plugins (bench/systems/: serval-cluster) join the harness's systems in an overlay of links, since the
# harness's directory may be read-only; peers.sh takes the directory it is started from as its own.
overlay=$(mktemp -d /tmp/serval-bench.XXXXXX)
trap 'rm -rf "$overlay"' EXIT
ln -s "$bench/lib" "$overlay/lib"
ln -s "$bench/peers.sh" "$overlay/peers.sh"
mkdir "$overlay/systems"
ln -s "$bench"/systems/*.sh "$root"/bench/systems/*.sh "$overlay/systems/"
cd "$overlay"
./peers.sh "$@"
