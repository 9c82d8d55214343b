#!/usr/bin/env bash
# Builds the SERVAL client's Windows zip on Linux: target/serval-client-windows-VERSION.zip (docs/windows.md).
#
#   scripts/package-windows.sh [--no-build] [--jmods DIR]
#
#   --no-build   use client/target as it is (the client's jar and target/lib from an earlier build)
#   --jmods DIR  the jmods directory of a Windows x64 JDK of exactly the version of $JAVA_HOME (jlink's rule for
#                a runtime of another platform): the zip then carries a trimmed runtime in runtime\, made here
#                by jlink. Without it the zip needs Java 21 or newer on the Windows machine.
#
# The zip holds serval-client-windows-VERSION\ with serval-client.cmd, README.txt, lib\ (the client's jars)
# and, with --jmods, runtime\. An installer (WiX or jpackage) cannot be made here: jpackage makes installers
# only for the platform it runs on; docs/windows.md has the recipe to run on Windows.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VERSION=0.1.0-SNAPSHOT

log() { printf '[package-windows] %s\n' "$*" >&2; }
die() { printf '[package-windows] error: %s\n' "$*" >&2; exit 1; }

build=1 jmods=""
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0; shift ;;
    --jmods) [ $# -ge 2 ] || die "--jmods needs a directory"; jmods=$2; shift 2 ;;
    *) die "unknown argument $1 (usage: package-windows.sh [--no-build] [--jmods DIR])" ;;
  esac
done
JAVA_HOME=${JAVA_HOME:-$("$ROOT/scripts/java-home.sh")}
export JAVA_HOME

if [ "$build" = 1 ]; then
  log "building the client with $JAVA_HOME"
  # shellcheck disable=SC2086
  "$ROOT/mvnw" -B -ntp ${MAVEN_ARGS:-} package -DskipTests -Dmaven.javadoc.skip=true -pl client -am
fi
client_jar="$ROOT/client/target/serval-client-$VERSION.jar"
lib="$ROOT/client/target/lib"
[ -f "$client_jar" ] && [ -d "$lib" ] || die "no $client_jar or $lib: build the client first (without --no-build)"
"$JAVA_HOME/bin/jar" tf "$client_jar" | grep -qx 'org/serval/client/tap/windows/WindowsTap.class' \
  || die "$(basename "$client_jar") has no Windows TAP (org.serval.client.tap.windows): rebuild it"

name="serval-client-windows-$VERSION"
work="$ROOT/target/package-windows"
dest="$work/$name"
rm -rf "$work"
mkdir -p "$dest/lib"
cp "$client_jar" "$dest/lib/"
# Everything the client runs with, but the Linux native libraries (Netty's epoll, BoringSSL), which Windows cannot
# load: there the client's TLS runs on the JDK's engine (security/TlsProvider).
find "$lib" -maxdepth 1 -name '*.jar' ! -name 'netty-transport-native-epoll-*-linux-*.jar' ! -name 'netty-tcnative-boringssl-static-*-linux-*.jar' -exec cp {} "$dest/lib/" \;
# cmd.exe wants CRLF lines (labels and goto misbehave without)
sed 's/\r*$/\r/' "$ROOT/client/windows/serval-client.cmd" >"$dest/serval-client.cmd"
sed 's/\r*$/\r/' "$ROOT/client/windows/README.txt" >"$dest/README.txt"

# The JDK modules the jars use (jdeps reads bytecode, so the answer is the same for Windows), without
# java.desktop (only JNA's AWT helpers, never called), plus jdk.unsupported (Netty's Unsafe, by reflection).
modules() {
  local found
  found=$("$JAVA_HOME/bin/jdeps" --multi-release "$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 \
      | sed -n 's/^ *java\.specification\.version = //p')" --ignore-missing-deps --print-module-deps \
      "$dest"/lib/*.jar 2>/dev/null | tail -n 1)
  [ -n "$found" ] || die "jdeps found no modules in $dest/lib"
  printf '%s\n' "${found//,/$'\n'}" jdk.unsupported | grep -vx java.desktop | sort -u | paste -sd, -
}

if [ -n "$jmods" ]; then
  [ -f "$jmods/java.base.jmod" ] || die "--jmods $jmods: no java.base.jmod there (a Windows JDK's jmods directory)"
  mods=$(modules)
  log "Windows runtime for $mods (jlink from $JAVA_HOME, modules from $jmods)"
  "$JAVA_HOME/bin/jlink" --module-path "$jmods" --add-modules "$mods" --strip-debug --no-header-files \
    --no-man-pages --compress=zip-6 --output "$dest/runtime"
  [ -f "$dest/runtime/bin/java.exe" ] || die "jlink made no runtime\\bin\\java.exe: were the jmods Windows ones?"
else
  log "no --jmods: the zip needs Java 21+ on the Windows machine (modules it uses: $(modules))"
fi

mkdir -p "$ROOT/target"
zip="$ROOT/target/$name.zip"
rm -f "$zip"
(cd "$work" && "$JAVA_HOME/bin/jar" --create --no-manifest --file "$zip" "$name")
log "built $zip ($(du -h "$zip" | cut -f1))"
