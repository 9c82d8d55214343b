#!/usr/bin/env bash
# Prints a JAVA_HOME whose java is version 21 or newer.
# ODL 2025+ needs Java 21; the default `java` on our machines is 17, so we look for a newer JDK ourselves.
set -euo pipefail

major_of() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = //p' | head -n1 | cut -d. -f1
}

candidates=()
[ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
if command -v java >/dev/null 2>&1; then
  candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
fi
for d in /usr/lib/jvm/* /opt/java/* /usr/local/lib/jvm/*; do
  [ -x "$d/bin/javac" ] && candidates+=("$d")
done

best="" best_major=0
for c in "${candidates[@]}"; do
  [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
  m=$(major_of "$c" || echo 0)
  if [ "${m:-0}" -ge 21 ] && [ "$m" -gt "$best_major" ]; then
    best="$c" best_major="$m"
    # The caller's own JAVA_HOME wins when it qualifies.
    [ "$c" = "${JAVA_HOME:-}" ] && break
  fi
done

if [ -z "$best" ]; then
  echo "error: SERVAL needs a JDK 21 or newer; none found in JAVA_HOME, PATH or /usr/lib/jvm" >&2
  exit 1
fi
echo "$best"
