#!/usr/bin/env bash
# Makes SERVAL installations members of one cluster (docs/cluster.md).
#
#   scripts/cluster.sh configure --member M --members ADDR1,ADDR2,... [--address ADDR] [--keys DIR] [--home HOME]
#                                [--restconf ADDRS]
#       Real hosts (what `./serval cluster configure` runs): makes the installation in HOME (default $SERVAL_HOME)
#       member M (1..N, or member-M) of the N members whose addresses are listed, in the same order on every
#       host. Every member uses the default ports (Pekko 2550, RESTCONF 8181, dataplane 4000, node links 4100);
#       Pekko listens on the member's own address and knows every member as a seed node. --address names this
#       host's address instead of (or as well as) --member. --keys is a copy of the cluster's key store, made once
#       with `keys DIR` (default: HOME's parent directory/cluster-keys). --restconf opens RESTCONF on these
#       addresses besides 127.0.0.1 (change the admin password first). Idempotent: it says what it wrote where, and
#       what was already so; restart a member that already ran for a change to apply.
#
#   scripts/cluster.sh configure HOME INDEX COUNT [HOST]
#       One machine (what `./serval cluster start` runs): configures the freshly unpacked distribution in HOME as
#       member INDEX (1-based) of COUNT members that all run on HOST (default 127.0.0.1), each with its own ports:
#         Pekko 2550+2i, RESTCONF 8181+i (and netconf's second RESTCONF endpoint, Netty, 8281+i), SSH 8101+i,
#         RMI 1099+i and 44444+i, dataplane (TCP and UDP) 4000+i, node links 4100+i, where i = INDEX-1. Every shard
#         gets a replica on every member. Run it before the member's first start.
#
#   Both: the members talk Pekko over TLS 1.3 with mutual authentication (transport tls-tcp): each gets a copy of
#   the cluster's key store (KEYS, default HOME's parent directory/cluster-keys, or SERVAL_CLUSTER_KEYS; the one
#   machine form makes it there at its first configure). A host without that key cannot join the cluster nor
#   write its datastore.
#
#   scripts/cluster.sh keys DIR
#       Makes the cluster's key store in DIR (pekko.p12 and its password, pekko.pass) unless it is there: copy DIR to
#       every host of a real cluster over a channel you trust, and name it with --keys.
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

# pekko.conf of one member: its Pekko address and role, every member as a seed, TLS with the cluster's key store.
pekko_conf() { # HOST PORT SEEDS MEMBER-ID STORE PASSWORD
  cat <<CONF
odl-cluster-data {
  pekko {
    remote {
      artery {
        enabled = on
        transport = tls-tcp
        canonical.hostname = "$1"
        canonical.port = $2
        ssl.config-ssl-engine {
          key-store = "$5"
          trust-store = "$5"
          key-store-password = "$6"
          key-password = "$6"
          trust-store-password = "$6"
          protocol = "TLSv1.3"
          enabled-algorithms = ["TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256"]
          require-mutual-authentication = on
        }
      }
    }
    cluster {
      seed-nodes = [$3]
      roles = ["$4"]
    }
    disable-default-actor-system-quarantined-event-handling = "false"
  }
}
CONF
}

module_shards_conf() { # REPLICAS: every shard replicated on every member
  local shards="" shard
  for shard in default topology inventory; do
    shards+="${shards:+,
}  { name = \"$shard\", shards = [ { name = \"$shard\", replicas = [$1] } ] }"
  done
  printf 'module-shards = [\n%s\n]\n' "$shards"
}

modules_conf() {
  cat <<'CONF'
modules = [
  { name = "inventory", namespace = "urn:opendaylight:inventory", shard-strategy = "module" },
  { name = "topology", namespace = "urn:TBD:params:xml:ns:yang:network-topology", shard-strategy = "module" },
  { name = "toaster", namespace = "http://netconfcentral.org/ns/toaster", shard-strategy = "module" }
]
CONF
}

configure_local() {
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
  pekko_conf "$host" $((2550 + 2 * i)) "$seeds" "member-$index" "$store" "$store_password" > "$initial/pekko.conf"
  module_shards_conf "$replicas" > "$initial/module-shards.conf"
  modules_conf > "$initial/modules.conf"
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

say() { printf 'cluster.sh: %s\n' "$*"; }

# Writes stdin to FILE (mode MODE) unless it already holds exactly that, and says which.
put() { # FILE MODE
  local file=$1 mode=$2 tmp
  tmp=$(mktemp "$file.XXXXXX")
  cat >"$tmp"
  chmod "$mode" "$tmp"
  if [ -f "$file" ] && cmp -s "$tmp" "$file"; then
    rm -f "$tmp"
    say "unchanged $file"
  else
    mv -f "$tmp" "$file"
    say "wrote     $file"
  fi
}

# Sets KEY = VALUE in a Karaf .cfg file (added at the end when the key is missing), and says what changed.
set_key() { # FILE KEY VALUE
  local file=$1 key=$2 value=$3 pattern current
  pattern="^${key//./\\.} *="
  current=$(grep -m1 "$pattern" "$file" | sed 's/^[^=]*= *//' || true)
  if grep -q "$pattern" "$file" && [ "$current" = "$value" ]; then
    say "unchanged $file: $key = $value"
    return
  fi
  if grep -q "$pattern" "$file"; then
    sed -i "s|$pattern.*|$key = $value|" "$file"
  else
    printf '%s = %s\n' "$key" "$value" >>"$file"
  fi
  say "set       $file: $key = $value"
}

valid_address() { # an IPv4 or IPv6 address or a host name, nothing a config file would trip over
  [[ $1 =~ ^[A-Za-z0-9]([A-Za-z0-9.:-]*[A-Za-z0-9])?$ ]]
}

pekko_host() { # IPv6 addresses go in brackets in a Pekko address
  case $1 in *:*) printf '[%s]' "$1" ;; *) printf '%s' "$1" ;; esac
}

configure_member() {
  local home=${SERVAL_HOME:-} member="" members="" address="" keydir="" restconf=""
  while [ $# -gt 0 ]; do
    case $1 in
      --home) home=${2:-}; shift 2 || die "--home needs a directory" ;;
      --member) member=${2:-}; shift 2 || die "--member needs a member id" ;;
      --members) members=${2:-}; shift 2 || die "--members needs the members' addresses" ;;
      --address) address=${2:-}; shift 2 || die "--address needs an address" ;;
      --keys) keydir=${2:-}; shift 2 || die "--keys needs a directory" ;;
      --restconf) restconf=${2:-}; shift 2 || die "--restconf needs addresses" ;;
      *) die "unknown option $1 (usage: configure --member M --members ADDR1,ADDR2,... [--address ADDR]" \
        "[--keys DIR] [--home HOME] [--restconf ADDRS])" ;;
    esac
  done
  [ -n "$home" ] || die "no installation given: --home HOME (or SERVAL_HOME)"
  [ -f "$home/etc/org.serval.controller.cfg" ] || die "$home is not an unpacked SERVAL distribution"
  home=$(cd "$home" && pwd)
  [ -n "$members" ] || die "--members ADDR1,ADDR2,... is required: every member's address, in the same order on every host"
  local list=() a b
  IFS=',' read -r -a list <<<"$members"
  local count=${#list[@]}
  for a in "${list[@]}"; do
    valid_address "$a" || die "'$a' in --members is not an address"
  done
  for a in $(seq 0 $((count - 1))); do
    for b in $(seq $((a + 1)) $((count - 1))); do
      [ "${list[$a]}" != "${list[$b]}" ] || die "${list[$a]} is listed twice in --members"
    done
  done
  [ -n "$member$address" ] || die "which member is this host? --member M (1..$count) or --address ADDR"
  local index=""
  if [ -n "$member" ]; then
    index=${member#member-}
    [[ $index =~ ^[0-9]+$ ]] && [ "$index" -ge 1 ] && [ "$index" -le "$count" ] \
      || die "unknown member id $member: --members lists $count addresses, so the members are member-1..member-$count"
  fi
  if [ -n "$address" ]; then
    local found="" n
    for n in $(seq 1 "$count"); do
      [ "${list[$((n - 1))]}" != "$address" ] || found=$n
    done
    [ -n "$found" ] || die "address $address is not among the members (${members//,/, })"
    [ -z "$index" ] || [ "$index" = "$found" ] \
      || die "--member $member has address ${list[$((index - 1))]} in --members, not $address"
    index=$found
  fi
  local own=${list[$((index - 1))]}
  if command -v ip >/dev/null 2>&1 && [[ $own =~ ^[0-9.:a-fA-F]+$ ]] \
      && ! ip -o addr show 2>/dev/null | grep -q "inet6\? $own/"; then
    say "note: $own is not an address of this host (yet); Pekko listens on it, so member-$index must run where it is"
  fi
  keydir=${keydir:-${SERVAL_CLUSTER_KEYS:-$(cd "$home/.." && pwd)/cluster-keys}}
  [ -f "$keydir/pekko.p12" ] && [ -f "$keydir/pekko.pass" ] \
    || die "no cluster key store in $keydir: make it once with './serval cluster keys DIR' (scripts/cluster.sh keys DIR), copy DIR to every member, and name it with --keys DIR"
  local seeds="" replicas="" n
  for n in $(seq 1 "$count"); do
    seeds+="${seeds:+, }\"pekko://opendaylight-cluster-data@$(pekko_host "${list[$((n - 1))]}"):2550\""
    replicas+="${replicas:+, }\"member-$n\""
  done
  say "configuring $home as member-$index of $count (${members//,/, }), this member at $own"
  mkdir -p "$home/etc/pekko" "$home/configuration/initial"
  put "$home/etc/pekko/cluster.p12" 600 <"$keydir/pekko.p12"
  local store password
  store=$home/etc/pekko/cluster.p12
  password=$(cat "$keydir/pekko.pass")
  local initial=$home/configuration/initial
  pekko_conf "$(pekko_host "$own")" 2550 "$seeds" "member-$index" "$store" "$password" | put "$initial/pekko.conf" 600
  module_shards_conf "$replicas" | put "$initial/module-shards.conf" 644
  modules_conf | put "$initial/modules.conf" 644
  local cfg=$home/etc/org.serval.controller.cfg
  set_key "$cfg" node.id "member-$index"
  set_key "$cfg" advertise.address "$own"
  set_key "$cfg" peer.port 4100
  if [ -n "$restconf" ]; then
    set_key "$home/etc/org.ops4j.pax.web.cfg" org.ops4j.pax.web.listening.addresses "127.0.0.1,$restconf"
  fi
  if [ -f "$home/data/log/karaf.log" ]; then
    say "member-$index has run before: restart it for the change to apply"
  fi
  say "member-$index: Pekko (TLS) at $own:2550, seeds ${members//,/:2550, }:2550; dataplane $own:4000 (TCP, UDP);" \
    "node links $own:4100; open these between the members, 4000 and RESTCONF 8181 to clients and administrators"
}

configure() {
  case "${1:-}" in
    --*) configure_member "$@" ;;
    *) [ $# -ge 3 ] || die "usage: configure --member M --members ADDR1,ADDR2,... [options], or configure HOME INDEX COUNT [HOST]"
       configure_local "$@" ;;
  esac
}

case "${1:-}" in
  configure) shift; configure "$@" ;;
  keys) shift; [ $# -eq 1 ] || die "usage: keys DIR"; keys "$1" ;;
  *) sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
