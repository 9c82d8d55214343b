#!/usr/bin/env bash
# Installs what the tests need beyond the JDK: iproute2 (network namespaces), ping and iperf3 inside them, openssl
# (the HTTPS certificate of the RESTCONF test); for the client's Debian package (packaging/, ClientPackageTest):
# dpkg-dev (dpkg-shlibdeps), binutils (strip), file, lintian, systemd-analyze and strace; for the GUI's test
# (GuiTest): Xvfb, the X libraries the JDK's AWT loads, and a font.
# Idempotent; needs root (CI runs as root). Prints nothing when everything is there.
set -euo pipefail
missing=()
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v ping >/dev/null 2>&1 || missing+=(iputils-ping)
command -v iperf3 >/dev/null 2>&1 || missing+=(iperf3)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v dpkg-shlibdeps >/dev/null 2>&1 || missing+=(dpkg-dev)
command -v strip >/dev/null 2>&1 || missing+=(binutils)
command -v file >/dev/null 2>&1 || missing+=(file)
command -v lintian >/dev/null 2>&1 || missing+=(lintian)
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
command -v strace >/dev/null 2>&1 || missing+=(strace)
command -v Xvfb >/dev/null 2>&1 || missing+=(xvfb)
for lib in libXtst.so.6:libxtst6 libXi.so.6:libxi6 libXrender.so.1:libxrender1 libfontconfig.so.1:libfontconfig1; do
  ldconfig -p 2>/dev/null | grep -q "${lib%%:*}" || missing+=("${lib#*:}")
done
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "[deps] missing ${missing[*]}; install them as root (apt-get install ${missing[*]})" >&2
  exit 0
fi
echo "[deps] installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
  || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; }
