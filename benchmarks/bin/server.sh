# Sourced by the benchmark scripts: a fresh single-node server from the built distribution, in a temporary
# directory, stopped and removed on exit. After start_server: $karaf (the JVM's pid), $work (its home), $pin (its
# certificate fingerprint), and the helpers log and rest.
root=$(cd "$here/.." && pwd)
JAVA_HOME=$("$root/scripts/java-home.sh")
export JAVA_HOME
tarball="$root/distribution/target/serval-distribution-0.1.0-SNAPSHOT.tar.gz"
karaf=""
work=""

log() { printf '[%s] %s\n' "$(basename "$0")" "$*" >&2; }
rest() { curl -sf -u admin:admin -H 'Content-Type: application/json' "$@"; }

stop_server() {
  if [ -n "$karaf" ]; then
    kill -TERM "$karaf" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$karaf" 2>/dev/null || break; sleep 1; done
    kill -KILL "$karaf" 2>/dev/null || true
  fi
  [ -z "$work" ] || rm -rf "$work"
}

start_server() {
  if [ ! -f "$tarball" ] || [ ! -d "$here/target/lib" ]; then
    log "build first: ./mvnw -B -ntp install -DskipTests -pl distribution,benchmarks -am"
    exit 1
  fi
  local port
  for port in 8181 4000 4100 2550; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      log "port $port is in use: stop the SERVAL that holds it first"
      exit 1
    fi
  done
  work=$(mktemp -d /tmp/serval-bench.XXXXXX)
  trap stop_server EXIT
  tar -xzf "$tarball" -C "$work" --strip-components=1
  (cd "$work" && exec bin/karaf server >console.log 2>&1 </dev/null) &
  local launcher=$! nodes=""
  for _ in $(seq 1 50); do
    karaf=$(pgrep -P "$launcher" java || true)
    [ -n "$karaf" ] && break
    sleep 0.2
  done
  [ -n "$karaf" ] || { log "the server did not start"; exit 1; }
  for _ in $(seq 1 240); do
    nodes=$(rest "http://127.0.0.1:8181/rests/data/serval:nodes?content=nonconfig" 2>/dev/null) && break
    sleep 1
  done
  pin=$(printf '%s' "$nodes" | sed -n 's/.*"tls-fingerprint":"\([0-9a-f]*\)".*/\1/p')
  [ -n "$pin" ] || { log "the server did not come up; see $work/console.log"; exit 1; }
  log "server up (pid $karaf, home $work)"
}
