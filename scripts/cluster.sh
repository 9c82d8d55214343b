#!/usr/bin/env bash
# Makes SERVAL installations members of one cluster on this machine (docs/cluster.md).
#
#   scripts/cluster.sh configure HOME INDEX COUNT [HOST]
#       Configures the freshly unpacked distribution in HOME as member INDEX (1-based) of COUNT members that all
#       run on HOST (default 127.0.0.1), each with its own ports:
#         Pekko 2550+2i, RESTCONF 8181+i (and netconf's second RESTCONF endpoint, Netty, 8281+i), SSH 8101+i,
#         RMI 1099+i and 44444+i, dataplane (TCP and UDP) 4000+i, node links 4100+i, where i = INDEX-1. Every shard gets a replica on every member.
#       Run it before the member's first start: ODL reads configuration/initial only then.
#
# For members on different hosts, do by hand what this does (docs/cluster.md, "Real hosts").
set -euo pipefail

die() { printf 'cluster.sh: %s\n' "$*" >&2; exit 1; }

configure() {
  local home=$1 index=$2 count=$3 host=${4:-127.0.0.1}
  [ -f "$home/etc/org.serval.controller.cfg" ] || die "$home is not an unpacked SERVAL distribution"
  [ "$index" -ge 1 ] && [ "$index" -le "$count" ] || die "INDEX must be 1..COUNT"
  local i=$((index - 1)) seeds="" replicas="" m
  for m in $(seq 1 "$count"); do
    seeds+="${seeds:+, }\"pekko://opendaylight-cluster-data@$host:$((2550 + 2 * (m - 1)))\""
    replicas+="${replicas:+, }\"member-$m\""
  done
  # ODL writes these files at first boot unless they exist; written here first, they make the member.
  local initial="$home/configuration/initial"
  mkdir -p "$initial"
  cat > "$initial/pekko.conf" <<CONF
odl-cluster-data {
  pekko {
    remote {
      artery {
        enabled = on
        transport = tcp
        canonical.hostname = "$host"
        canonical.port = $((2550 + 2 * i))
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
  grep -q "member-$index" "$initial/pekko.conf" && grep -q "^peer.port = $((4100 + i))" "$cfg" \
    || die "could not configure $home (unexpected file layout)"
}

case "${1:-}" in
  configure) shift; [ $# -ge 3 ] || die "usage: configure HOME INDEX COUNT [HOST]"; configure "$@" ;;
  *) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
