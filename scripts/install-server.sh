#!/usr/bin/env bash
# Installs (or reinstalls) the SERVAL server distribution, keeping what its operator made.
#
#   scripts/install-server.sh TARBALL HOME
#
# A first install unpacks TARBALL into HOME. A reinstall (a newer build) unpacks it beside HOME and keeps:
#   - the data: the datastore (state/: VLANs, users, access control) and the RESTCONF accounts (data/idmlight.db,
#     with the first start's admin password in restconf-admin.password and its marker);
#   - every file under etc/ that the operator changed or added, the way dpkg keeps conffiles: HOME/.dist-etc holds
#     the etc/ the last install shipped; a file that differs from it (or is not in it) is the operator's and is
#     kept. When the new build also changed that file, the new version is written beside it as FILE.dist and a
#     line says so, for the operator to merge. Whitespace does not count (Karaf rewrites some files as it reads
#     them), and the files that describe the build itself (Karaf's framework and feature lists) are always the new
#     build's: an old one could not start the new bundles.
# Prints what it kept on standard error.
set -euo pipefail

tarball=$1
home=$2
log() { printf '[serval] %s\n' "$*" >&2; }
same() { diff -q -w -B "$1" "$2" >/dev/null 2>&1; }

parent=$(dirname "$home")
mkdir -p "$parent"
fresh=$(mktemp -d "$parent/.serval-install.XXXXXX")
trap 'rm -rf "$fresh"' EXIT
tar -xzf "$tarball" -C "$fresh" --strip-components=1
# What this build ships in etc/, to tell the operator's changes from ours at the next reinstall.
cp -a "$fresh/etc" "$fresh/.dist-etc"

if [ -d "$home" ]; then
  for kept in state data/idmlight.db.mv.db data/serval-admin-password.set restconf-admin.password; do
    if [ -e "$home/$kept" ]; then
      rm -rf "${fresh:?}/$kept"
      mkdir -p "$(dirname "$fresh/$kept")"
      mv "$home/$kept" "$fresh/$kept"
    fi
  done
  if [ -d "$home/etc" ] && [ ! -d "$home/.dist-etc" ]; then
    # Installed by an older launcher, which kept only SERVAL's own settings: so does this reinstall.
    if [ -f "$home/etc/org.serval.controller.cfg" ]; then
      cp -p "$home/etc/org.serval.controller.cfg" "$fresh/etc/org.serval.controller.cfg"
      log "kept your etc/org.serval.controller.cfg"
    fi
  elif [ -d "$home/etc" ]; then
    while IFS= read -r -d '' file; do
      rel=${file#"$home/etc/"}
      case "$rel" in
        config.properties | startup.properties | jre.properties | distribution.info | profile.cfg \
          | org.apache.karaf.features.cfg | org.apache.karaf.features.xml | org.apache.karaf.features.repos.cfg)
          continue ;;
      esac
      shipped="$home/.dist-etc/$rel"
      # Unchanged since it was installed: the new build's version wins.
      if [ -f "$shipped" ] && same "$file" "$shipped"; then
        continue
      fi
      new="$fresh/etc/$rel"
      if [ ! -f "$shipped" ]; then
        # Written by OpenDaylight at its first start, or added by the operator: kept without a word.
        :
      elif [ -f "$new" ] && ! same "$new" "$shipped"; then
        cp -p "$new" "$new.dist"
        log "kept your etc/$rel; this build changed it too: see etc/$rel.dist"
      else
        log "kept your etc/$rel"
      fi
      mkdir -p "$(dirname "$new")"
      cp -p "$file" "$new"
    done < <(find "$home/etc" -type f ! -name '*.dist' -print0)
  fi
  rm -rf "$home"
fi
mv "$fresh" "$home"
trap - EXIT
touch "$home/.installed-from"
