#!/usr/bin/env bash
# Builds the serval-client Debian package (packaging/README.md). The packaging module's Maven build runs it twice,
# after copying the client's jars into --lib:
#
#   package-client.sh docs --lib DIR --tools DIR --docs DIR
#       bash completion and the man pages' AsciiDoc, generated from the picocli command class (Asciidoctor then
#       turns the AsciiDoc into DIR/man/*.1)
#   package-client.sh deb --lib DIR --docs DIR --version MAVEN_VERSION --work DIR --out DIR
#       a trimmed Java runtime (jdeps, then jlink from $JAVA_HOME), the files of packaging/deb, the maintainer
#       scripts, then dpkg-deb: OUT/serval-client_DEBVERSION_amd64.deb
#
# ./serval package runs the whole build; this script is its packaging half.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRC=$ROOT/packaging/deb
COMMAND_CLASS=org.serval.client.cli.ClientCommand
PREFIX=usr/lib/serval-client

log() { printf '[package] %s\n' "$*" >&2; }
die() { printf '[package] error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=scripts/package-lib.sh
. "$ROOT/scripts/package-lib.sh"

[ $# -ge 1 ] || die "usage: package-client.sh docs|deb --lib DIR ... (see the script's header)"
step=$1
shift
lib="" tools="" docs="" version="" work="" out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --lib) lib=$2 ;;
    --tools) tools=$2 ;;
    --docs) docs=$2 ;;
    --version) version=$2 ;;
    --work) work=$2 ;;
    --out) out=$2 ;;
    *) die "unknown argument $1" ;;
  esac
  shift 2
done
[ -n "$lib" ] && [ -d "$lib" ] || die "--lib DIR: the client's jar and its runtime dependencies"
[ -n "$docs" ] || die "--docs DIR is needed"
JAVA_HOME=${JAVA_HOME:-$("$ROOT/scripts/java-home.sh")}
client_jar=$(find "$lib" -maxdepth 1 -name 'serval-client-*.jar' | head -n 1)
[ -n "$client_jar" ] || die "no serval-client-*.jar in $lib"

# The man page and the completion come from the picocli command class; a client without it cannot be packaged.
has_command_class() {
  "$JAVA_HOME/bin/jar" tf "$client_jar" | grep -qx "${COMMAND_CLASS//.//}.class"
}

docs_() {
  if ! has_command_class; then
    die "$(basename "$client_jar") has no $COMMAND_CLASS: this client predates its picocli command line, from" \
      "which the package's man page and bash completion are generated. Build a client that has it."
  fi
  [ -n "$tools" ] && [ -d "$tools" ] || die "--tools DIR: picocli-codegen's jar"
  rm -rf "$docs"
  mkdir -p "$docs/adoc"
  local cp="$lib/*:$tools/*"
  log "bash completion from $COMMAND_CLASS"
  "$JAVA_HOME/bin/java" -cp "$cp" picocli.AutoComplete --force --name serval-client \
    --completionScript "$docs/serval-client.bash" "$COMMAND_CLASS" >&2
  log "man pages (AsciiDoc) from $COMMAND_CLASS"
  "$JAVA_HOME/bin/java" -cp "$cp" picocli.codegen.docgen.manpage.ManPageGenerator --outdir "$docs/adoc" \
    "$COMMAND_CLASS" >&2
  [ -s "$docs/serval-client.bash" ] && [ -s "$docs/adoc/serval-client.adoc" ] \
    || die "picocli generated no completion or no man page into $docs"
}

# The JDK modules the client and its jars use, as jdeps finds them, and what jdeps cannot see.
modules() {
  local found
  # --ignore-missing-deps: Netty and BouncyCastle refer to optional libraries the client does not ship.
  found=$("$JAVA_HOME/bin/jdeps" --multi-release "$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 \
      | sed -n 's/^ *java\.specification\.version = //p')" --ignore-missing-deps --print-module-deps \
      "$lib"/*.jar 2>/dev/null | tail -n 1)
  [ -n "$found" ] || die "jdeps found no modules in $lib"
  # Left out: java.desktop, which only JNA's AWT helpers (Native.getComponentID and the like) use; the client
  # never calls them, and it would add about 15 MB.
  found=$(printf '%s\n' "${found//,/$'\n'}" | grep -vx java.desktop | paste -sd, -)
  # Added whatever jdeps says: jdk.unsupported (Netty's sun.misc.Unsafe, reached by reflection too) and
  # jdk.crypto.ec (TLS 1.3's key exchange on a build JDK older than 22; empty since, the provider is in java.base).
  printf '%s\n' "${found//,/$'\n'}" jdk.unsupported jdk.crypto.ec | sort -u | paste -sd, -
}

runtime() {
  jlink_runtime "$1" "$2" "$(modules)"
}

deb_() {
  [ -n "$version" ] && [ -n "$work" ] && [ -n "$out" ] || die "deb needs --version, --work and --out"
  require_deb_tools
  [ -s "$docs/serval-client.bash" ] || die "no bash completion in $docs (the docs step runs first)"
  local man
  man=$(find "$docs/man" -maxdepth 1 -name '*.1' 2>/dev/null | sort)
  [ -n "$man" ] || die "no man pages in $docs/man (Asciidoctor makes them from $docs/adoc)"
  local debver root doc
  debver=$(debian_version "$version")
  root="$work/serval-client"
  doc="$root/usr/share/doc/serval-client"
  rm -rf "$work"
  mkdir -p "$root/DEBIAN" "$root/$PREFIX/lib" "$root/usr/bin" "$root/lib/systemd/system" "$root/etc/serval" \
    "$root/usr/share/bash-completion/completions" "$root/usr/share/man/man1" "$doc"
  umask 022

  runtime "$root/$PREFIX/runtime" "$doc/runtime-legal"
  log "jars into /$PREFIX/lib"
  install -m 0644 "$lib"/*.jar "$root/$PREFIX/lib/"
  # JNA's native part, taken out of its jar here so that the client never unpacks code into a writable directory
  # (by default JNA would, into the serval user's ~/.cache); the launcher points JNA at it.
  local jna
  jna=$(find "$lib" -maxdepth 1 -name 'jna-*.jar' | head -n 1)
  [ -n "$jna" ] || die "no jna-*.jar in $lib"
  mkdir -p "$root/$PREFIX/native" "$work/jna"
  (cd "$work/jna" && "$JAVA_HOME/bin/jar" xf "$(readlink -f "$jna")" com/sun/jna/linux-x86-64/libjnidispatch.so)
  mv "$work/jna/com/sun/jna/linux-x86-64/libjnidispatch.so" "$root/$PREFIX/native/"
  rm -rf "$work/jna"
  strip --remove-section=.comment --remove-section=.note --strip-unneeded "$root/$PREFIX/native/libjnidispatch.so"
  chmod 0644 "$root/$PREFIX/native/libjnidispatch.so"
  install -m 0755 "$SRC/serval-client" "$root/usr/bin/serval-client"
  install -m 0644 "$SRC/serval-client.service" "$root/lib/systemd/system/serval-client.service"
  install -m 0644 "$SRC/client.conf" "$root/etc/serval/client.conf"
  # bash-completion sources the file: picocli's #! line has no use there
  sed '1{/^#!/d}' "$docs/serval-client.bash" >"$root/usr/share/bash-completion/completions/serval-client"
  chmod 0644 "$root/usr/share/bash-completion/completions/serval-client"
  local page
  for page in $man; do
    gzip -9n <"$page" >"$root/usr/share/man/man1/$(basename "$page").gz"
  done
  install -m 0644 "$SRC/copyright" "$doc/copyright"
  install -D -m 0644 "$SRC/lintian-overrides" "$root/usr/share/lintian/overrides/serval-client"
  sed "s/@VERSION@/$debver/; s/@DATE@/$(date -R -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}")/" "$SRC/changelog" \
    | gzip -9n >"$doc/changelog.Debian.gz"
  chmod -R u+rwX,go+rX,go-w "$root"

  local depends
  depends=$(shlib_depends "$work" serval-client "$root/$PREFIX/runtime" "$root/$PREFIX/native")

  local size
  size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
  sed -e "s/@VERSION@/$debver/" -e "s/@INSTALLED_SIZE@/$size/" -e "s/@DEPENDS@/$depends/" "$SRC/control" \
    >"$root/DEBIAN/control"
  printf '/etc/serval/client.conf\n' >"$root/DEBIAN/conffiles"
  chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles"
  build_deb "$root" "$SRC" serval-client "$debver" "$out" -Zxz
}

case "$step" in
  docs) docs_ ;;
  deb) deb_ ;;
  *) die "unknown step $step: docs or deb" ;;
esac
