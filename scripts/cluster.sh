#!/usr/bin/env bash
# Makes SERVAL installations members of one cluster on this machine (docs/cluster.md).
#
#   scripts/cluster.sh configure HOME INDEX COUNT [HOST]
#       Configures the freshly unpacked distribution in HOME as member INDEX (1-based) of COUNT members that all
#       run on HOST (default 127.0.0.1), each with its own ports:
#         Pekko 2550+2i, RESTCONF 8181+i (and netconf's second RESTCONF endpoint, Netty, 8281+i), SSH 8101+i,
#         RMI 1099+i and 44444+i, dataplane (TCP and UDP) 4000+i, node links 4100+i, where i = INDEX-1. Every shard gets a replica on every member.
#       Run it before the member's first start: ODL reads configuration/initial only then.
#       The members talk Pekko over TLS 1.3 with mutual authentication (transport tls-tcp): each gets a copy of the
#       cluster's key store, made once by the first configure in KEYS (default: HOME's parent directory/cluster-keys;
#       or set SERVAL_CLUSTER_KEYS). A host without that key cannot join the cluster nor write its datastore.
#
#   scripts/cluster.sh keys DIR
#       Makes the cluster's key store in DIR (pekko.p12 and its password, pekko.pass) unless it is there: copy DIR to
#       every host of a real cluster and point SERVAL_CLUSTER_KEYS at it before configure.
#
# For members on different hosts, do by hand what this does (docs/cluster.md, "Real hosts").
set -euo pipefail

die() { printf 'cluster.sh: %s\n' "$*" >&2; exit 1; }

keytool_() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/keytool" ]; then
    "$JAVA_HOME/bin/keytool" "$@"
  else
    "$("$(dirname "$0")/java-home.sh")/bin/keytool" "$@"
  fi
}

# One key and self-signed certificate for the whole cluster, trusted by every member: TLS with mutual
# authentication then admits exactly the hosts that hold it.
keys() {
  local dir=$1
  mkdir -p "$dir"
  chmod 700 "$dir"
  [ -f "$dir/pekko.p12" ] && [ -f "$dir/pekko.pass" ] && return
  local password
  password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=' | cut -c1-20)
  (umask 077 && printf '%s\n' "$password" >"$dir/pekko.pass")
  keytool_ -genkeypair -alias serval-cluster -keyalg EC -groupname secp256r1 -sigalg SHA256withECDSA \
    -dname "CN=serval-cluster" -validity 3650 -storetype PKCS12 -keystore "$dir/pekko.p12" \
    -storepass "$password" -keypass "$password" >/dev/null 2>&1 || die "keytool could not make $dir/pekko.p12"
  chmod 600 "$dir/pekko.p12"
}

configure() {
  local home=$1 index=$2 count=$3 host=${4:-127.0.0.1}
  [ -f "$home/etc/org.serval.controller.cfg" ] || die "$home is not an unpacked SERVAL distribution"
  [ "$index" -ge 1 ] && [ "$index" -le "$count" ] || die "INDEX must be 1..COUNT"
  local i=$((index - 1)) seeds="" replicas="" m
  for m in $(seq 1 "$count"); do
    seeds+="${seeds:+, }\"pekko://opendaylight-cluster-data@$host:$((2550 + 2 * (m - 1)))\""
    replicas+="${replicas:+, }\"member-$m\""
  done
  local keydir=${SERVAL_CLUSTER_KEYS:-$(cd "$home/.." && pwd)/cluster-keys}
  keys "$keydir"
  mkdir -p "$home/etc/pekko"
  cp "$keydir/pekko.p12" "$home/etc/pekko/cluster.p12"
  chmod 600 "$home/etc/pekko/cluster.p12"
  local store store_password
  store=$(cd "$home/etc/pekko" && pwd)/cluster.p12
  store_password=$(cat "$keydir/pekko.pass")
  # ODL writes these files at first boot unless they exist; written here first, they make the member.
  local initial="$home/configuration/initial"
  mkdir -p "$initial"
  cat > "$initial/pekko.conf" <<CONF
odl-cluster-data {
  pekko {
    remote {
      artery {
        enabled = on
        transport = tls-tcp
        canonical.hostname = "$host"
        canonical.port = $((2550 + 2 * i))
        ssl.config-ssl-engine {
          key-store = "$store"
          trust-store = "$store"
          key-store-password = "$store_password"
          key-password = "$store_password"
          trust-store-password = "$store_password"
          protocol = "TLSv1.3"
          enabled-algorithms = ["TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256"]
          require-mutual-authentication = on
        }
      }
    }
    cluster {
      seed-nodes = [$seeds]
      roles = ["member-$index"]
    }
    disable-default-actor-system-quarantined-event-handling = "false"
  }
}
CONF
  local shards="" shard
  for shard in default topology inventory; do
    shards+="${shards:+,
}  { name = \"$shard\", shards = [ { name = \"$shard\", replicas = [$replicas] } ] }"
  done
  printf 'module-shards = [\n%s\n]\n' "$shards" > "$initial/module-shards.conf"
  cat > "$initial/modules.conf" <<'CONF'
modules = [
  { name = "inventory", namespace = "urn:opendaylight:inventory", shard-strategy = "module" },
  { name = "topology", namespace = "urn:TBD:params:xml:ns:yang:network-topology", shard-strategy = "module" },
  { name = "toaster", namespace = "http://netconfcentral.org/ns/toaster", shard-strategy = "module" }
]
CONF
  sed -i "s/^org\.osgi\.service\.http\.port *=.*/org.osgi.service.http.port = $((8181 + i))/" \
    "$home/etc/org.ops4j.pax.web.cfg"
  sed -i "s/name=\"jetty\.port\" default=\"8181\"/name=\"jetty.port\" default=\"$((8181 + i))\"/" "$home/etc/jetty.xml"
  # netconf's Netty RESTCONF endpoint defaults to 8182, which is member 2's RESTCONF port here.
  printf '\n# set by scripts/cluster.sh\nbind-port=%s\n' $((8281 + i)) >>"$home/etc/org.opendaylight.restconf.nb.rfc8040.cfg"
  sed -i "s/^sshPort *=.*/sshPort = $((8101 + i))/" "$home/etc/org.apache.karaf.shell.cfg"
  sed -i -e "s/^rmiRegistryPort *=.*/rmiRegistryPort = $((1099 + i))/" \
    -e "s/^rmiServerPort *=.*/rmiServerPort = $((44444 + i))/" "$home/etc/org.apache.karaf.management.cfg"
  local cfg="$home/etc/org.serval.controller.cfg"
  sed -i \
    -e "s/^node\.id *=.*/node.id = member-$index/" \
    -e "s/^dataplane\.tcp\.port *=.*/dataplane.tcp.port = $((4000 + i))/" \
    -e "s/^dataplane\.udp\.port *=.*/dataplane.udp.port = $((4000 + i))/" \
    -e "s/^peer\.port *=.*/peer.port = $((4100 + i))/" \
    -e "s/^advertise\.address *=.*/advertise.address = $host/" \
    -e "s/^keepalive\.millis *=.*/keepalive.millis = 1000/" \
    "$cfg"
  chmod 600 "$initial/pekko.conf"
  grep -q "member-$index" "$initial/pekko.conf" && grep -q "^peer.port = $((4100 + i))" "$cfg" \
    || die "could not configure $home (unexpected file layout)"
}

case "${1:-}" in
  configure) shift; [ $# -ge 3 ] || die "usage: configure HOME INDEX COUNT [HOST]"; configure "$@" ;;
  keys) shift; [ $# -eq 1 ] || die "usage: keys DIR"; keys "$1" ;;
  *) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
