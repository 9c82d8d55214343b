#!/usr/bin/env bash
# Installs what the tests need beyond the JDK, one line per package with the test that needs it (add yours the
# same way). Idempotent; needs root (CI runs as root). Prints nothing when everything is there.
set -euo pipefail
missing=()
need() { # PACKAGE TEST-COMMAND...: the package is missing when the command fails
  local package=$1; shift
  "$@" >/dev/null 2>&1 || missing+=("$package")
}
need iproute2        command -v ip               # network namespaces and veth (every namespace test)
need iputils-ping    command -v ping             # pings between namespaces
need iperf3          command -v iperf3           # throughput inside namespaces (bench, smoke)
need openssl         command -v openssl          # the HTTPS certificate of the RESTCONF test
need dpkg-dev        command -v dpkg-shlibdeps   # the Debian packages (packaging/, *PackageTest)
need binutils        command -v strip            #   stripping the jlink runtimes
need file            command -v file             #   finding ELF files to strip
need lintian         command -v lintian          #   checking the packages
need systemd         command -v systemd-analyze  #   verifying the units
need strace          command -v strace           #   the client package's wake-up count
need adduser         command -v adduser          #   the packages' system users (ServerPackageTest)
need curl            command -v curl             #   serval-server depends on it (its ExecStartPost; ServerPackageTest)
need avahi-daemon    test -x /usr/sbin/avahi-daemon  # an mDNS responder (ChatterTest)
need python3         test -x /usr/bin/python3    # ChatterTest's mDNS querier and multicast sender and receiver,
                                                 # AddressingTest's raw packets, BridgeTest's hosts on vids
need udhcpc          command -v udhcpc           # a stock DHCP client (AddressingTest)
need isc-dhcp-client command -v dhclient         # another stock DHCP client (AddressingTest)
need busybox         command -v busybox          # udhcpd's applets (AddressingTest)
need udhcpd          command -v udhcpd           # a member's rogue DHCP server (AddressingTest)
need xvfb            command -v Xvfb             # the GUI's display (GuiTest)
need libxtst6        sh -c 'ldconfig -p | grep -q libXtst.so.6'       #   the X libraries the JDK's AWT loads
need libxi6          sh -c 'ldconfig -p | grep -q libXi.so.6'
need libxrender1     sh -c 'ldconfig -p | grep -q libXrender.so.1'
need libfontconfig1  sh -c 'ldconfig -p | grep -q libfontconfig.so.1'
need fonts-dejavu-core test -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf  #   a font to draw with
need openvswitch-switch command -v ovs-vswitchd  # an OpenFlow 1.3 switch, userspace datapath (OpenFlowTest)
need tcpdump         command -v tcpdump          #   the 802.1Q tags on OVS's trunk port (OpenFlowTest)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "[deps] missing ${missing[*]}; install them as root (apt-get install ${missing[*]})" >&2
  exit 0
fi
echo "[deps] installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
  || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; }
