#!/usr/bin/env bash
# Debian packages the test suite needs (a headless browser for the HTML report tests, a PostgreSQL server
# with contrib and hypopg for the database audit tests).
# Installs only what is missing; needs root (CI and the dev machines run as root).
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v git >/dev/null 2>&1 || missing+=(git)
pg_major() { ls -d /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sed -E 's#/usr/lib/postgresql/([0-9]+)/.*#\1#' | sort -n | tail -1; }
[ -n "$(pg_major)" ] || missing+=(postgresql postgresql-contrib)
need_hypopg() { local v; v="$(pg_major)"; [ -z "$v" ] || [ ! -f "/usr/share/postgresql/$v/extension/hypopg.control" ]; }
need_hypopg && hypopg=1 || hypopg=0
[ ${#missing[@]} -eq 0 ] && [ "$hypopg" -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-system-deps: missing ${missing[*]} (hypopg: $hypopg); install them with your package manager" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-system-deps: installing ${missing[*]}"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if need_hypopg; then
  # hypopg is built per server version: postgresql-NN-hypopg must match the installed server
  echo "install-system-deps: installing postgresql-$(pg_major)-hypopg"
  apt-get install -y -qq --no-install-recommends "postgresql-$(pg_major)-hypopg" >/dev/null
fi
