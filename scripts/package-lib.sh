# shellcheck shell=bash
# What the Debian packages of SERVAL share (packaging/README.md), sourced by scripts/package-client.sh and
# scripts/package-server.sh: the Debian version of the Maven version, a jlink runtime stripped as dh_strip would,
# the runtime's library dependencies, and the last step (md5sums, maintainer scripts, dpkg-deb).
# The sourcing script sets JAVA_HOME and defines log and die.

# The Debian version of a Maven version: 0.1.0-SNAPSHOT is 0.1.0~snapshot (sorts before the 0.1.0 release), with
# the Debian revision -1.
debian_version() {
  local v=$1
  v=${v/-SNAPSHOT/~snapshot}
  printf '%s-1\n' "${v//-/\~}"
}

# The tools every package build needs, checked before any long step.
require_deb_tools() {
  command -v dpkg-deb >/dev/null || die "dpkg-deb is missing (a Debian or Ubuntu machine builds this package)"
  command -v dpkg-shlibdeps >/dev/null || die "dpkg-shlibdeps is missing: apt-get install dpkg-dev"
  command -v strip >/dev/null || die "strip is missing: apt-get install binutils"
  command -v file >/dev/null || die "file is missing: apt-get install file"
}

# What dh_strip does for a Debian package, on every ELF file under DIR: no symbol tables, no comments (Temurin's
# libjvm.so keeps a 5 MB symbol table otherwise); crash logs still name Java frames.
strip_elf() {
  local f
  while IFS= read -r f; do
    if file -b "$f" | grep -q 'ELF.*shared object'; then
      strip --remove-section=.comment --remove-section=.note --strip-unneeded "$f"
      chmod 0644 "$f"
    elif file -b "$f" | grep -q 'ELF.*executable'; then
      strip --remove-section=.comment --remove-section=.note "$f"
    fi
  done < <(find "$1" -type f \( -name '*.so' -o -perm -u+x \))
}

# jlink_runtime DEST LEGAL MODULES: a Java runtime of MODULES (comma-separated) from $JAVA_HOME in DEST, its
# licence files moved to LEGAL (the package's documentation, which its copyright file points to).
jlink_runtime() {
  local dest=$1 legal=$2 mods=$3
  log "Java runtime for the modules $mods (jlink from $JAVA_HOME)"
  # --strip-debug would strip only the Java debug attributes here (it conflicts with the native option), and
  # Temurin's libjvm.so keeps its symbol table: strip-java-debug-attributes plus strip(1) below do both.
  "$JAVA_HOME/bin/jlink" --add-modules "$mods" --strip-java-debug-attributes --no-header-files --no-man-pages \
    --compress=zip-6 --output "$dest"
  log "stripping the runtime's native code"
  strip_elf "$dest"
  mkdir -p "$(dirname "$legal")"
  mv "$dest/legal" "$legal"
  "$dest/bin/java" -version >/dev/null 2>&1 || die "the runtime in $dest does not start"
}

# shlib_depends WORK PACKAGE DIR...: the Depends line of the shared libraries and executables under DIR... (the
# first DIR is a jlink runtime, whose own libraries dpkg-shlibdeps must find there).
shlib_depends() {
  local work=$1 package=$2 runtime=$3 depends
  shift 2
  depends=$(cd "$work" && mkdir -p debian && printf 'Source: serval\n\nPackage: %s\nArchitecture: any\n' \
      "$package" >debian/control && find "$@" -type f -name '*.so' -o -type f -path '*/bin/*' \
      | while IFS= read -r f; do file -b "$f" | grep -q ELF && printf '%s\n' "$f"; done \
      | sed 's/^/-e/' | xargs dpkg-shlibdeps -O -l"$runtime/lib" -l"$runtime/lib/server" 2>/dev/null \
      | sed -n 's/^shlibs:Depends=//p')
  rm -rf "$work/debian"
  [ -n "$depends" ] || die "dpkg-shlibdeps found no dependencies of $runtime"
  printf '%s\n' "$depends"
}

# build_deb ROOT SRC PACKAGE DEBVERSION OUT COMPRESSION: DEBIAN/md5sums, the maintainer scripts postinst, prerm and
# postrm from SRC, then dpkg-deb into OUT/PACKAGE_DEBVERSION_amd64.deb (the only one of PACKAGE there afterwards).
# DEBIAN/control and DEBIAN/conffiles are the caller's.
build_deb() {
  local root=$1 src=$2 package=$3 debver=$4 out=$5 compression=$6
  log "checksums of the files of $package"
  (cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) \
    >"$root/DEBIAN/md5sums"
  chmod 0644 "$root/DEBIAN/md5sums"
  local script
  for script in postinst prerm postrm; do
    install -m 0755 "$src/$script" "$root/DEBIAN/$script"
  done
  mkdir -p "$out"
  # one package in OUT, the one just built, for the tests and ./serval package to find
  rm -f "$out/${package}"_*_amd64.deb
  local deb="$out/${package}_${debver}_amd64.deb"
  log "dpkg-deb ($compression): $deb"
  # shellcheck disable=SC2086
  dpkg-deb --root-owner-group $compression --build "$root" "$deb" >&2
  log "built $deb ($(du -h "$deb" | cut -f1), installed $(($(du -sk --exclude=DEBIAN "$root" | cut -f1) / 1024)) MB)"
}
