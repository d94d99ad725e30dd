#!/usr/bin/env bash
# `npm run fuzz` (and CI, after `npm test`): Schemathesis against /openapi.json of a real stack
# (scripts/dev.sh on free ports, its own data directory) with a key of each role of the demo
# workspace, and the admin token for the one route it may call. Every check is on: no 5xx,
# every status and body as the document says, invalid input rejected, valid input accepted,
# 405 for undeclared methods. Then scripts/fuzz-report.ts counts the requests and the 5xx
# from Schemathesis' HAR reports and looks for the demo credentials in every response, in
# everything the stack printed and in every workflow history on its Temporal server.
# Exits non-zero on any failure. FUZZ_EXAMPLES sets the test cases per operation (default 20).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

ST_VERSION=4.32.5
# Python 3.11's ast module trips Hypothesis in Schemathesis' coverage phase ("AST constructor
# recursion depth mismatch"), so use a newer CPython when pyenv has one (FUZZ_PYTHON overrides).
PYTHON=${FUZZ_PYTHON:-$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -V | tail -1)}
PYTHON=${PYTHON:-python3}
PY_VERSION=$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
PY=.tools/py-$PY_VERSION
if [ ! -d "$PY/schemathesis-$ST_VERSION.dist-info" ]; then
  echo "fuzz: installing Schemathesis $ST_VERSION for Python $PY_VERSION into $PY"
  "$PYTHON" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --upgrade --target "$PY" "schemathesis==$ST_VERSION"
fi
st() { PYTHONPATH=$PY "$PYTHON" "$PY/bin/st" "$@"; }
# The stateful phase is left out: it reported a valid pair of requests (incident, then its
# resolve) as schema-violating ("Invalid component: positive test case"), and the document
# declares no links for it to follow.
PHASES=examples,coverage,fuzzing
case $PY_VERSION in 3.11 | 3.10 | 3.9) PHASES=examples,fuzzing; echo "fuzz: Python $PY_VERSION: coverage phase skipped" ;; esac

WORK=$(mktemp -d "${TMPDIR:-/tmp}/scrubbing-fuzz-XXXXXX")
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{process.stdout.write(String(s.address().port));s.close()})'; }
export DEV_DATA_DIR=$WORK/data TEMPORAL_PORT=$(free_port) TEMPORAL_UI_PORT=$(free_port) SIMULATOR_PORT=$(free_port) \
  FERRETDB_PORT=$(free_port) API_PORT=$(free_port) WORKER_METRICS_PORT=$(free_port) TEMPORAL_METRICS_PORT=$(free_port)
# Fuzzing is not an abuse case: no rate limit; manual actions stop waiting (202) after 5 s.
export API_RATE_LIMIT_PER_MINUTE=1000000 API_AUTH_FAILURES_PER_MINUTE=1000000 MANUAL_ACTION_TIMEOUT_SECONDS=5
unset MONGO_URL
API=http://127.0.0.1:$API_PORT

# PagerDuty is the outside world, unreachable here: its name does not resolve, so every delivery to the PagerDuty
# channels the fuzzer creates hung for the 10 s timeout and was retried. Once, about 180 such deliveries in flight
# made the fuzz-filled workspace's continue-as-new fail twice, and a state query waited past 10 s (a 503). A local
# receiver answering as the Events API does stands in for it, as in the integration tests.
PAGERDUTY_PORT=$(free_port)
node -e 'require("http").createServer((q, r) => { q.resume(); q.on("end", () => { r.writeHead(202, { "content-type": "application/json" }); r.end(JSON.stringify({ status: "success", message: "Event processed" })); }); }).listen(Number(process.argv[1]), "127.0.0.1")' "$PAGERDUTY_PORT" &
pagerduty=$!
export PAGERDUTY_EVENTS_URL=http://127.0.0.1:$PAGERDUTY_PORT/v2/enqueue

set -m
bash scripts/dev.sh > "$WORK/stack.log" 2>&1 &
stack=$!
set +m
stop() {
  kill -INT -- "-$stack" 2>/dev/null || true
  wait "$stack" 2>/dev/null || true
  kill "$pagerduty" 2>/dev/null || true
}
trap stop EXIT
for _ in $(seq 1 360); do
  grep -q 'dev stack is up' "$WORK/stack.log" && break
  kill -0 "$stack" 2>/dev/null || { cat "$WORK/stack.log"; echo "fuzz: the stack exited" >&2; exit 1; }
  sleep 0.5
done
grep -q 'dev stack is up' "$WORK/stack.log" || { cat "$WORK/stack.log"; echo "fuzz: the stack did not come up" >&2; exit 1; }

owner=$(cat "$DEV_DATA_DIR/demo-owner-key")
admin_token=$(cat "$DEV_DATA_DIR/admin-token")
key_of() {
  curl -sf -X POST -H "authorization: Bearer $owner" -H 'content-type: application/json' "$API/v1/workspaces/demo/api-keys" \
    -d "{\"name\":\"fuzz $1\",\"role\":\"$1\"}" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).key))'
}
declare -A keys=([owner]=$owner [admin]=$(key_of admin) [detector]=$(key_of detector) [viewer]=$(key_of viewer))

cat > "$WORK/schemathesis.toml" <<'TOML'
[parameters]
"path.ws" = "demo"

# Valid input a provider refuses (the fuzzer's made-up credentials) is a 422 provider_failed.
[[operations]]
include-name = ["POST /v1/workspaces/{ws}/integrations/{id}/activate", "POST /v1/workspaces/{ws}/integrations/{id}/withdraw"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"]

# PATCH settings and credentials (secrets) are checked against the stored integration's (channel's) type, which the
# request does not carry, so the document cannot tell which per-type schema applies: a 400
# naming the field is the right answer to settings of another type.
[[operations]]
# A PATCH of an integration's scope may also reach the workspace's scope-entry limit (422 limit_reached).
include-name = ["PATCH /v1/workspaces/{ws}/integrations/{id}", "PATCH /v1/workspaces/{ws}/notification-channels/{id}"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "409", "422", "429"]

# Valid input beyond a workspace limit (integrations, scope entries, channels, API keys, detector sources) is a 422 limit_reached:
# the fuzzer fills the demo workspace up to its caps.
[[operations]]
include-name = ["POST /v1/workspaces/{ws}/integrations", "POST /v1/workspaces/{ws}/notification-channels", "POST /v1/workspaces/{ws}/api-keys", "POST /v1/workspaces/{ws}/detector-sources"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "422", "429"]

# Detector webhooks are proved by their source's secret, which the fuzzer does not have: an
# unknown source is a 404, a wrong proof 401, an address outside a source's allow-list 403.
[[operations]]
include-name = ["POST /v1/ingest/{sourceId}", "POST /v1/ingest/{sourceId}/{token}"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "429"]
TOML

failed=0
run() { # name token [filters...]
  local name=$1 token=$2
  shift 2
  echo "fuzz: $name"
  st --config-file "$WORK/schemathesis.toml" run "$API/openapi.json" --checks all --phases "$PHASES" --max-examples "${FUZZ_EXAMPLES:-20}" \
    --request-timeout 30 --workers 2 --seed 20261127 --no-color --output-truncate true \
    --report har --report-har-path "$WORK/har-$name.json" -H "Authorization: Bearer $token" "$@" > "$WORK/st-$name.log" 2>&1 \
    || { failed=1; cat "$WORK/st-$name.log"; }
  grep -E '^(Test cases:|  [0-9]+ generated)' -A1 "$WORK/st-$name.log" | tail -1 || true
}
for role in owner admin detector viewer; do run "$role" "${keys[$role]}"; done
# The admin token only creates workspaces; the keys above may do everything else their role allows.
run server-admin "$admin_token" --include-path /v1/workspaces --include-method POST

node -r ts-node/register/transpile-only scripts/fuzz-report.ts --work "$WORK" --temporal "127.0.0.1:$TEMPORAL_PORT" \
  --secrets simulated-token,demo-as,demo-ck,demo-password || failed=1
if [ "$failed" = 0 ]; then rm -rf "$WORK"; else echo "fuzz: FAILED (everything kept in $WORK)" >&2; fi
exit "$failed"
