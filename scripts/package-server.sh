#!/usr/bin/env bash
# Builds the serval-server Debian package (packaging/README.md) from the Karaf distribution:
#
#   package-server.sh --tarball DIST.tar.gz --version MAVEN_VERSION --work DIR --out DIR
#       OUT/serval-server_DEBVERSION_amd64.deb: the distribution in /usr/lib/serval with a Java runtime jlink made
#       from $JAVA_HOME, its etc/ as conffiles in /etc/serval/server, the systemd unit and maintainer scripts of
#       packaging/server (docs/packaging.md, "The server's package")
#
# packaging/server/pom.xml runs it after the distribution is built; ./serval package server runs that build.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRC=$ROOT/packaging/server
PREFIX=usr/lib/serval
ETC=etc/serval/server

log() { printf '[package] %s\n' "$*" >&2; }
die() { printf '[package] error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=scripts/package-lib.sh
. "$ROOT/scripts/package-lib.sh"

tarball="" version="" work="" out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --tarball) tarball=$2 ;;
    --version) version=$2 ;;
    --work) work=$2 ;;
    --out) out=$2 ;;
    *) die "unknown argument $1" ;;
  esac
  shift 2
done
[ -n "$tarball" ] && [ -f "$tarball" ] || die "--tarball FILE: the distribution (distribution/target/*.tar.gz)"
[ -n "$version" ] && [ -n "$work" ] && [ -n "$out" ] || die "needs --version, --work and --out"
JAVA_HOME=${JAVA_HOME:-$("$ROOT/scripts/java-home.sh")}
require_deb_tools

# The JDK modules of the server's runtime. jdeps cannot follow an OSGi container (bundles wired at run time,
# services found by name), so this list is written down, not computed: every Java SE module (java.se, as Karaf's
# jre.properties offers all of their packages to the bundles), the JDK modules that Karaf's launcher opens or
# exports to (jdk.naming.rmi, jdk.xml.dom), the providers the JDK finds by name (jdk.crypto.ec, jdk.crypto.cryptoki,
# jdk.security.auth for JAAS, jdk.security.jgss, jdk.naming.dns, jdk.charsets, jdk.zipfs), jdk.unsupported (Netty
# and Pekko use sun.misc.Unsafe), JMX and JFR (jdk.management, jdk.management.agent, jdk.management.jfr, jdk.jfr),
# jdk.net and jdk.nio.mapmode (socket options, the journal's mapped files), jdk.httpserver, and jcmd (jdk.jcmd) for
# an operator's thread dumps. Left out: the compilers and development tools (jdk.compiler, jdk.javadoc, jdk.jshell,
# jdk.jlink, jdk.jpackage, jdk.jdeps, jdk.jartool), debuggers (jdk.jdi, jdk.jdwp.agent, jdk.hotspot.agent), Graal,
# jdk.localedata (the service runs in C.UTF-8) and the incubator modules.
MODULES=java.se,jdk.unsupported,jdk.crypto.ec,jdk.crypto.cryptoki,jdk.security.auth,jdk.security.jgss
MODULES=$MODULES,jdk.naming.dns,jdk.naming.rmi,jdk.xml.dom,jdk.management,jdk.management.agent
MODULES=$MODULES,jdk.management.jfr,jdk.jfr,jdk.jcmd,jdk.charsets,jdk.zipfs,jdk.net,jdk.nio.mapmode,jdk.httpserver

debver=$(debian_version "$version")
root="$work/serval-server"
doc="$root/usr/share/doc/serval-server"
rm -rf "$work"
mkdir -p "$root/DEBIAN" "$root/$PREFIX" "$root/lib/systemd/system" "$root/etc/serval" "$root/var/lib/serval" "$doc"
umask 022

log "unpacking the distribution $(basename "$tarball") into /$PREFIX"
tar -xzf "$tarball" -C "$root/$PREFIX" --strip-components=1 --no-same-owner
[ -x "$root/$PREFIX/bin/karaf" ] && [ -d "$root/$PREFIX/etc" ] || die "$tarball holds no Karaf distribution"
# Karaf's configuration is the administrator's: conffiles in /etc/serval/server, found by Karaf through KARAF_ETC
# (the unit) and by the scripts of bin/ that look in $KARAF_HOME/etc through the link.
mv "$root/$PREFIX/etc" "$root/$ETC"
ln -s "/$ETC" "$root/$PREFIX/etc"
# The shell's account is no configuration to ship: each installation makes its own from Karaf's file (postinst, with
# bin/serval-secure-shell), so users.properties is not a conffile; an upgrade keeps it as a file of the instance.
install -D -m 0644 "$root/$ETC/users.properties" "$root/usr/share/serval-server/users.properties"
rm "$root/$ETC/users.properties"
# Everything the server writes is under /var/lib/serval (KARAF_BASE, its working directory): Karaf's data and
# cache, the datastore (state/), the certificate (state/tls), the cluster's configuration/; Karaf reads
# $KARAF_BASE/etc too, and relative paths in the configuration (etc/tls/...) resolve from there.
ln -s "/$ETC" "$root/var/lib/serval/etc"
rm -rf "$root/$PREFIX/data" "$root/$PREFIX/bin/contrib" "$root/$PREFIX"/bin/*.bat "$root/$PREFIX/README.md" \
  "$root/$PREFIX/CONTRIBUTING.md"
mv "$root/$PREFIX/LICENSE" "$doc/LICENSE.distribution"

# Where the package's Karaf differs from the tarball's (the tarball keeps everything under its own directory):
# logs in /var/log/serval (KARAF_LOG), the shell's SSH host key in the state (Karaf makes it at the first login; a
# key is not configuration), no progress bar at every start in the journal.
sed -i -e 's|\${karaf\.data}/log/karaf\.log|${karaf.log}/karaf.log|' \
  -e 's|\${karaf\.data}/log/serval\.log|${karaf.log}/serval.log|' \
  -e 's|\${karaf\.data}/security/audit\.log|${karaf.log}/audit.log|' "$root/$ETC/org.ops4j.pax.logging.cfg"
sed -i 's|^hostKey *=.*$|hostKey = ${karaf.data}/host.key|' "$root/$ETC/org.apache.karaf.shell.cfg"
sed -i 's|^karaf\.delay\.console *=.*$|karaf.delay.console = false|' "$root/$ETC/custom.properties"
grep -q '{karaf.log}/karaf.log' "$root/$ETC/org.ops4j.pax.logging.cfg" \
  && grep -q '{karaf.log}/audit.log' "$root/$ETC/org.ops4j.pax.logging.cfg" \
  && grep -q '{karaf.log}/serval.log' "$root/$ETC/org.ops4j.pax.logging.cfg" \
  && grep -q '^hostKey = ${karaf.data}/host.key$' "$root/$ETC/org.apache.karaf.shell.cfg" \
  || die "the distribution's logging or shell configuration is not what this script expects; see its sed lines"

jlink_runtime "$root/$PREFIX/runtime" "$doc/runtime-legal" "$MODULES"
# The server never draws, plays sounds or reads images: java.desktop is in the runtime for its java.beans (which
# bundles use), but not its native libraries for X11, sound, fonts, colour profiles and images, which would put
# X11 and ALSA into Depends and copies of freetype, lcms2 and libjpeg into the package. The headless AWT
# (libawt, libawt_headless) stays.
for lib in libawt_xawt libjawt libjsound libsplashscreen libfontmanager libfreetype liblcms libjavajpeg; do
  rm -f "$root/$PREFIX/runtime/lib/$lib.so"
done

install -m 0644 "$SRC/serval-server.service" "$root/lib/systemd/system/serval-server.service"
install -m 0644 "$SRC/copyright" "$doc/copyright"
install -m 0644 "$SRC/README.Debian" "$doc/README.Debian"
install -D -m 0644 "$SRC/lintian-overrides" "$root/usr/share/lintian/overrides/serval-server"
sed "s/@VERSION@/$debver/; s/@DATE@/$(date -R -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}")/" "$SRC/changelog" \
  | gzip -9n >"$doc/changelog.Debian.gz"
chmod -R u+rwX,go+rX,go-w "$root"

log "the runtime's library dependencies (dpkg-shlibdeps)"
depends=$(shlib_depends "$work" serval-server "$root/$PREFIX/runtime")
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$debver/" -e "s/@INSTALLED_SIZE@/$size/" -e "s/@DEPENDS@/$depends/" "$SRC/control" \
  >"$root/DEBIAN/control"
# Every file of Karaf's configuration is a conffile: an upgrade keeps the administrator's version.
(cd "$root" && find "$ETC" -type f | sed 's|^|/|' | sort) >"$root/DEBIAN/conffiles"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles"
# gzip, not xz: the jars in system/ are compressed already, so xz -6 makes the package only 7 % smaller (175.9 MB
# instead of 188.5 MB) and takes 111 s on two cores instead of 6 s, at every build and test run.
build_deb "$root" "$SRC" serval-server "$debver" "$out" "-Zgzip -z6"
