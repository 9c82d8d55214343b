#!/usr/bin/env bash
# SERVAL under attack: the table of docs/security.md (issue 19, "Tests and figures"). The shared harness's topology
# and SERVAL plug-in, as bench/warm-run.sh uses them (server 10.200.0.1, members c1 and c2 on overlay 10.201.0.1/.2),
# plus one namespace of our own, $NS_PREFIX-atk (10.200.0.13, an isolated port of the harness's bridge: it reaches
# the server only), which holds the attackers (bench/attack/*.py) and a third SERVAL member (overlay 10.201.0.13)
# for the member floods. For each attack, ATTACK_SECONDS long:
#   - a clean baseline first: iperf3 TCP c1 -> c2 over the overlay for ATTACK_SECONDS;
#   - the server JVM's VmRSS just before;
#   - the attack; after RAMP_SECONDS, the same iperf3 again, and halfway through it an honest login (TLS, HELLO as
#     user bench with its password, WELCOME within 5 s) from c2's namespace;
#   - once it stops: the server alive (the same java process, port 4000 listening, c1 reaching c2 again), and its
#     VmRSS SETTLE_SECONDS later.
# Attacks: 1 pre-login slowloris (SLOWLORIS_CONNECTIONS, default 10,000, each trickling a byte a second of a TLS
# record), 2 login flood (LOGIN_WORKERS threads, wrong passwords for user bench), 3 control-message flood (KEEPALIVE
# and LIST_VLANS from a logged-in client of user "atk", never reading, from a second address of the attacker's,
# 10.200.0.14, which the login flood's per-source throttling has not marked), 4 unknown-unicast and 5 broadcast flood
# (frames written into the third member's TAP; the honest flow stays c1 -> c2, and c1 and c2 count the flooder's
# frames they receive against the storm-control rate, STORM_RATE per second plus a one-second burst), 6 random UDP
# datagrams at port 4000, 7 random bytes over TCP at every port the server namespace listens on (ss -ltn; ports
# bound to loopback only are out of the attacker's reach and are listed, not attacked).
# A server that died or lost its members is restarted before the next attack (the row says so).
#   bench/attack.sh                   all seven, a Markdown table on stdout and in docs/bench-results/attack-STAMP.md
#   ATTACKS="1 6" bench/attack.sh     some of them
# Environment: ATTACK_SECONDS (10), RAMP_SECONDS (2), SETTLE_SECONDS (10), WARM_SECONDS (20 s of iperf3 before the
# first baseline, so that the JVMs have compiled their hot paths), SLOWLORIS_CONNECTIONS (10000),
# LOGIN_WORKERS (4), TCP_WORKERS (8), STORM_RATE (1000, the VLAN's flood-policy rate-limit), SERVAL_BUILT (the checkout
# whose built client and bench/serval-{server,client}.sh are used; default this one), SERVAL_DIST (the distribution
# tarball; default SERVAL_BUILT's), RESTCONF_AUTH (admin:admin, as bench/serval-server.sh), KEEP_RUN=1 keeps the
# scratch directory (logs). Needs root, iperf3 and python3; builds nothing; it loads the machine, so run it alone
# (flock /tmp/serval-build.lock bench/attack.sh). Leaves nothing behind, on failure too.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export BENCH_DIR=${BENCH_DIR_OVERRIDE:-$root/../shared/bench}
# shellcheck source=/dev/null
. "$BENCH_DIR/lib/common.sh"
# shellcheck source=/dev/null
. "$BENCH_DIR/lib/topo.sh"
ATTACK_SECONDS=${ATTACK_SECONDS:-10}
RAMP_SECONDS=${RAMP_SECONDS:-2}
SETTLE_SECONDS=${SETTLE_SECONDS:-10}
WARM_SECONDS=${WARM_SECONDS:-20}
SLOWLORIS_CONNECTIONS=${SLOWLORIS_CONNECTIONS:-10000}
LOGIN_WORKERS=${LOGIN_WORKERS:-4}
TCP_WORKERS=${TCP_WORKERS:-8}
STORM_RATE=${STORM_RATE:-1000}
ATTACKS=${ATTACKS:-1 2 3 4 5 6 7}
RESTCONF_AUTH=${RESTCONF_AUTH:-admin:admin}
built=${SERVAL_BUILT:-$root}
export SERVAL_DIST=${SERVAL_DIST:-$built/distribution/target/serval-distribution-0.1.0-SNAPSHOT.tar.gz}
if [ ! -f "$SERVAL_DIST" ] || [ ! -d "$built/client/target/lib" ]; then
  echo "attack.sh: no built SERVAL in $built (./serval build there, or set SERVAL_BUILT / SERVAL_DIST)" >&2
  exit 1
fi
for tool in iperf3 python3 ss curl; do
  command -v $tool >/dev/null || { echo "attack.sh: $tool is missing" >&2; exit 1; }
done
export SERVAL_SERVER="exec '$built/bench/serval-server.sh'"
export SERVAL_CLIENT="exec '$built/bench/serval-client.sh'"
export SERVAL_IFACE=serval0
export SERVAL_TRANSPORT=tcp
export SERVAL_ENCRYPTION=on
export PYTHONDONTWRITEBYTECODE=1
A="$root/bench/attack"
NS_ATK=${NS_PREFIX}-atk
ATK_IP=10.200.0.13
ATK_IP2=10.200.0.14  # the logged-in attacker's, so that the login flood's per-source throttling does not refuse it
OVL_ATK=10.201.0.13
ATK_PASSWORD=atk-$$-pw
RUN_DIR=$(mktemp -d /tmp/serval-attack.XXXXXX)
export RUN_DIR

log() { echo "[attack $(date -u +%T)] $*" >&2; }

atk_kill_procs() {
  local pids sig
  for sig in TERM KILL; do
    ip netns list 2>/dev/null | grep -qw "^$NS_ATK" || return 0
    pids=$(ip netns pids "$NS_ATK" 2>/dev/null | tr '\n' ' ')
    [ -n "$pids" ] && kill -$sig $pids 2>/dev/null
    sleep 0.5
  done
  return 0
}

cleanup() {
  atk_kill_procs
  ip netns del "$NS_ATK" 2>/dev/null
  topo_down
  if [ "${KEEP_RUN:-0}" = 1 ]; then
    log "logs kept in $RUN_DIR (the server's in serval/data/log)"
  else
    rm -rf "$RUN_DIR"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

atk_up() {
  ip netns del "$NS_ATK" 2>/dev/null
  ip netns add "$NS_ATK" || return 1
  nsx "$NS_ATK" ip link set lo up
  nsx "$NS_WAN" ip link add p-atk type veth peer name eth0 netns "$NS_ATK" || return 1
  nsx "$NS_WAN" ip link set p-atk master br0 up
  nsx "$NS_WAN" bridge link set dev p-atk isolated on
  nsx "$NS_ATK" ip addr add "$ATK_IP/$UNDERLAY_PREFIX" dev eth0
  nsx "$NS_ATK" ip addr add "$ATK_IP2/$UNDERLAY_PREFIX" dev eth0
  nsx "$NS_ATK" ip link set eth0 up
  for _ in $(seq 50); do
    nsx "$NS_ATK" ping -c1 -W1 "$SERVER_IP" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "attack.sh: the attacker namespace does not reach the server" >&2
  return 1
}

server_pid() {
  local p
  for p in $(ip netns pids "$NS_SERVER" 2>/dev/null); do
    [ "$(cat "/proc/$p/comm" 2>/dev/null)" = java ] && { echo "$p"; return 0; }
  done
  return 1
}

rss_mb() { awk '/^VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }

# c1 reaches c2 over the overlay within $1 seconds
overlay_ok() {
  local t=${1:-5} i
  for ((i = 0; i < t; i++)); do
    nsx "$NS_C1" ping -c1 -W1 "$OVL_C2" >/dev/null 2>&1 && return 0
  done
  return 1
}

restconf() {
  nsx "$NS_SERVER" curl -sf -o /dev/null -u "$RESTCONF_AUTH" -H 'Content-Type: application/json' -d "$2" \
    "http://127.0.0.1:8181/rests/operations/serval:$1"
}

# SERVAL as bench/warm-run.sh starts it, the third member in the attacker's namespace, and the attacker's account
serval_up() {
  rm -f "$RUN_DIR/pids" "$RUN_DIR/serval-ready"
  "$BENCH_DIR/systems/serval.sh" up serval >"$RUN_DIR/up.log" 2>&1 || { log "SERVAL did not start"; return 1; }
  bg "$NS_ATK" atk sh -c "$SERVAL_CLIENT"
  ovl_addr "$NS_ATK" serval0 "$OVL_ATK" || return 1
  overlay_ok 120 || { log "c1 does not reach c2 over SERVAL"; return 1; }
  restconf set-password "{\"input\":{\"user\":\"atk\",\"password\":\"$ATK_PASSWORD\"}}" ||
    { log "could not create user atk"; return 1; }
  for _ in $(seq 30); do
    nsx "$NS_ATK" ping -c1 -W1 "$OVL_C2" >/dev/null 2>&1 && return 0
  done
  log "the third member does not reach c2"
  return 1
}

serval_restart() {
  log "restarting SERVAL"
  topo_kill_ns_procs
  atk_kill_procs
  serval_up
}

# iperf3 TCP c1 -> c2 for $1 seconds: Mbit/s received, 0 when it failed
iperf_mbps() {
  local d=$1 spid out
  nsx "$NS_C2" iperf3 -s -1 -B "$OVL_C2" >/dev/null 2>&1 &
  spid=$!
  sleep 0.3
  out=$(timeout $((d + 20)) ip netns exec "$NS_C1" iperf3 -c "$OVL_C2" -B "$OVL_C1" -t "$d" -J --connect-timeout 3000 2>/dev/null)
  kill "$spid" 2>/dev/null
  wait "$spid" 2>/dev/null
  python3 -c 'import json,sys
try: print("%.0f" % (json.loads(sys.argv[1])["end"]["sum_received"]["bits_per_second"] / 1e6))
except Exception: print(0)' "$out"
}

# JSON counts of an attacker -> "key value, ..."
counts() {
  python3 -c 'import json,sys
try: d = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
except Exception: print("no counts"); sys.exit()
print(", ".join("%s %s" % (k.replace("_", " "), v) for k, v in d.items()))' "$1"
}

# start_attacker NAME NS CMD...: in the background, its JSON counts in $RUN_DIR/NAME.json
start_attacker() {
  local name=$1 ns=$2
  shift 2
  nohup ip netns exec "$ns" "$@" >"$RUN_DIR/$name.json" 2>"$RUN_DIR/$name.err" </dev/null &
  echo $! >"$RUN_DIR/$name.pid"
}

# stop_attacker NAME: SIGTERM (the attacker prints its counts), SIGKILL after 5 s
stop_attacker() {
  local pid i
  pid=$(cat "$RUN_DIR/$1.pid")
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}

# reachable TCP ports of the server namespace (not bound to loopback), comma-separated; loopback ones in $RUN_DIR/lo
server_ports() {
  nsx "$NS_SERVER" ss -ltnH | awk -v lo="$RUN_DIR/lo" '{
      n = split($4, a, ":"); port = a[n]; addr = substr($4, 1, length($4) - length(port) - 1)
      if (addr ~ /^(127\.|\[::1\]|\[::ffff:127\.)/) { print port > lo; next }
      print port }' | sort -un | paste -sd, -
}

rows=()
restarted=0
run_attack() {
  local n=$1 name pid alive base during ratio rss0 rss1 peak probe notes flood_src lim secs="$ATTACK_SECONDS"
  local deadline=$((ATTACK_SECONDS + RAMP_SECONDS + 10))
  local extra=""
  pid=$(server_pid)
  if [ -z "$pid" ] || ! overlay_ok 10; then
    serval_restart || { rows+=("| $n | - | - | - | - | SERVAL could not be restarted |"); return 1; }
    pid=$(server_pid)
    extra="SERVAL restarted before this attack; "
  fi
  log "attack $n: baseline"
  base=$(iperf_mbps "$secs")
  rss0=$(rss_mb "$pid")
  rm -f "$RUN_DIR"/*.json "$RUN_DIR/lo"
  case $n in
    1) name="pre-login slowloris ($SLOWLORIS_CONNECTIONS connections)"
       start_attacker atk "$NS_ATK" sh -c "ulimit -n $((SLOWLORIS_CONNECTIONS + 1024)) && exec python3 '$A/slowloris.py' $deadline $SERVER_IP $SLOWLORIS_CONNECTIONS" ;;
    2) name="login flood ($LOGIN_WORKERS workers, wrong passwords)"
       start_attacker atk "$NS_ATK" python3 "$A/login_flood.py" $deadline "$SERVER_IP" bench "$LOGIN_WORKERS" ;;
    3) name="control flood from a logged-in client"
       start_attacker atk "$NS_ATK" python3 "$A/control_flood.py" $deadline "$SERVER_IP" atk "$ATK_PASSWORD" "$ATK_IP2" ;;
    4|5) local kind=unicast
       [ "$n" = 5 ] && kind=broadcast
       name="$([ "$n" = 4 ] && echo unknown-unicast || echo broadcast) flood from a member"
       flood_src=$(nsx "$NS_ATK" cat /sys/class/net/serval0/address)
       start_attacker count-c1 "$NS_C1" python3 "$A/frame_count.py" $deadline serval0 "$flood_src"
       start_attacker count-c2 "$NS_C2" python3 "$A/frame_count.py" $deadline serval0 "$flood_src"
       sleep 0.3
       start_attacker atk "$NS_ATK" python3 "$A/frame_flood.py" $deadline serval0 $kind "$flood_src" ;;
    6) name="random UDP datagrams at port 4000"
       start_attacker atk "$NS_ATK" python3 "$A/udp_junk.py" $deadline "$SERVER_IP" ;;
    7) local ports
       ports=$(server_ports)
       name="random bytes over TCP at ports $ports"
       [ -s "$RUN_DIR/lo" ] && extra+="loopback only, not attacked: $(sort -un "$RUN_DIR/lo" | paste -sd, -); "
       start_attacker atk "$NS_ATK" python3 "$A/tcp_junk.py" $deadline "$SERVER_IP" "$ports" "$TCP_WORKERS" ;;
  esac
  log "attack $n: $name"
  sleep "$RAMP_SECONDS"
  # CPU seconds of the attacker's namespace (which the attack shares the machine's cores with) and of the server
  local cpu_atk0 cpu_srv0 cpu_t0=$SECONDS
  cpu_atk0=$(ns_cpu_seconds "$NS_ATK")
  cpu_srv0=$(ns_cpu_seconds "$NS_SERVER")
  # the peak resident memory, sampled each second while the attack runs
  (peak=0; for ((i = 0; i < secs + 2; i++)); do
     r=$(rss_mb "$pid"); [[ $r =~ ^[0-9]+$ ]] && [ "$r" -gt "$peak" ] && peak=$r; echo $peak >"$RUN_DIR/peak"; sleep 1
   done) &
  local sampler=$!
  iperf_mbps "$secs" >"$RUN_DIR/during" &
  local ip=$!
  sleep "$(awk -v s="$secs" 'BEGIN {print s / 2}')"
  probe=$(timeout 8 ip netns exec "$NS_C2" python3 "$A/login_probe.py" "$SERVER_IP" bench bench 5 2>&1 | tail -1)
  wait $ip
  during=$(cat "$RUN_DIR/during")
  local cpu
  cpu=$(awk -v a0="$cpu_atk0" -v a1="$(ns_cpu_seconds "$NS_ATK")" -v s0="$cpu_srv0" -v s1="$(ns_cpu_seconds "$NS_SERVER")" \
    -v t=$((SECONDS - cpu_t0)) -v c="$(nproc)" 'BEGIN {
      printf "CPU while measured: attacker namespace %.1f s, server %.1f s, of %d s x %d cores", a1 - a0, s1 - s0, t, c}')
  stop_attacker atk
  [ "$n" = 4 ] || [ "$n" = 5 ] && { stop_attacker count-c1; stop_attacker count-c2; }
  kill $sampler 2>/dev/null; wait $sampler 2>/dev/null
  peak=$(cat "$RUN_DIR/peak" 2>/dev/null || echo "?")
  alive=no
  if kill -0 "$pid" 2>/dev/null && [ "$(server_pid)" = "$pid" ] && nsx "$NS_SERVER" ss -ltnH "sport = :4000" | grep -q .; then
    if overlay_ok 10; then alive=yes; else alive="yes, but c1 no longer reaches c2"; fi
  fi
  sleep "$SETTLE_SECONDS"
  rss1=$(rss_mb "$pid")
  ratio=$(awk -v b="$base" -v d="$during" 'BEGIN {if (b > 0) printf "%.2f", d / b; else print "-"}')
  notes="$extra$(counts "$RUN_DIR/atk.json")"
  if [ "$n" = 4 ] || [ "$n" = 5 ]; then
    notes+="; frames from the flooder received while counted (storm control allows $STORM_RATE/s and a 1 s burst):"
    for m in c1 c2; do
      notes+=" $m $(python3 -c 'import json,sys
try:
    d = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1]); f, s, r = d["frames"], d["seconds"], float(sys.argv[2])
    print("%d in %.1f s (%.0f/s, %s the %d allowed)" % (f, s, f / max(s, 0.1), "within" if f <= r * (s + 1) else "BEYOND", r * (s + 1)))
except Exception: print("?")' "$RUN_DIR/count-$m.json" "$STORM_RATE")"
    done
    notes+="; honest flow c1 -> c2, the flooder is a third member"
  fi
  notes+="; $cpu"
  [ -s "$RUN_DIR/atk.err" ] && notes+="; attacker stderr: $(tail -1 "$RUN_DIR/atk.err" | tr '|' '/' | cut -c1-120)"
  local login
  case $probe in
    ok*) login="yes (${probe#ok } s)" ;;
    *) login="no (${probe#fail })" ;;
  esac
  rows+=("| $n. $name | $alive | $ratio ($during / $base Mbit/s) | $rss0 -> $rss1 (peak $peak) | $login | $notes |")
  log "${rows[-1]}"
}

log "scratch directory $RUN_DIR"
topo_up 1 || exit 1
atk_up || exit 1
log "starting SERVAL from $SERVAL_DIST"
serval_up || exit 1
# a just-started JVM is still compiling: the first baseline would be low (bench/warm-run.sh, docs/performance.md)
log "warm-up: $WARM_SECONDS s of iperf3 c1 -> c2"
iperf_mbps "$WARM_SECONDS" >/dev/null
commit=$(git -C "$built" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$built" diff --quiet HEAD 2>/dev/null || commit+=" (with uncommitted changes)"
script_commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
for n in $ATTACKS; do
  case $n in
    [1-7]) run_attack "$n" ;;
    *) log "no attack $n (1..7)" ;;
  esac
done
stamp=$(date -u +%Y%m%d-%H%M%S)
out="$root/docs/bench-results/attack-$stamp.md"
mkdir -p "$root/docs/bench-results"
{
  echo "SERVAL under attack, $(date -u '+%Y-%m-%d %H:%M') UTC, SERVAL commit $commit (distribution built $(date -u -r "$SERVAL_DIST" '+%Y-%m-%d %H:%M')), bench/attack.sh at $script_commit, $(nproc) cores;"
  echo "each attack ${ATTACK_SECONDS} s; honest flow iperf3 TCP c1 -> c2 over the overlay during the attack over the same measured just before;"
  echo "RSS of the server JVM just before and ${SETTLE_SECONDS} s after the attack (peak while it ran); honest login from c2's namespace halfway through."
  echo
  echo "| attack | server alive | honest throughput / baseline | RSS before -> after (MB) | honest login <= 5 s | notes |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
} | tee "$out"
log "written to $out"
