#!/usr/bin/env bash
# `npm run bench` prerequisites: everything `npm test` needs (scripts/setup.sh), plus PostgreSQL
# for FerretDB's backend: FerretDB 1.24 on SQLite only pushes `_id` filters down, which makes
# the 1,000-workspace burst take longer than the bench's 10 minutes (bench/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if ! command -v postgres >/dev/null; then
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$found" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "bench: installing Debian's postgresql for FerretDB's backend"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  fi
  if [ -n "$found" ]; then
    ln -sf "$found/postgres" /usr/local/bin/postgres 2>/dev/null || echo "bench: put $found on PATH" >&2
  else
    echo "bench: PostgreSQL not found; FerretDB falls back to SQLite and the burst will be slow" >&2
  fi
fi
