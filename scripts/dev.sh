#!/usr/bin/env bash
# `npm run dev`: the whole stack on this machine, on loopback only:
# Temporal dev server + UI (state in .data/temporal.db, SQLite in WAL mode with synchronous=normal:
# the default pragmas are about 2x slower and time out under a burst), a MongoDB-protocol server
# (MONGO_URL if set, else FerretDB with its data in .data/ferretdb/), the provider
# simulator, the worker and the API, with a demo workspace. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

DATA=${DEV_DATA_DIR:-.data}
# Everything the stack writes under $DATA (tokens, encryption keys, databases) is for this user only.
umask 077
mkdir -p "$DATA"
chmod 700 "$DATA"
TEMPORAL_PORT=${TEMPORAL_PORT:-7233}
TEMPORAL_UI_PORT=${TEMPORAL_UI_PORT:-8233}
SIMULATOR_PORT=${SIMULATOR_PORT:-8299}
FERRETDB_PORT=${FERRETDB_PORT:-27018}
API_PORT=${API_PORT:-8080}
WORKER_METRICS_PORT=${WORKER_METRICS_PORT:-9464}
TEMPORAL_METRICS_PORT=${TEMPORAL_METRICS_PORT:-9465}
API=http://127.0.0.1:$API_PORT
SIM=http://127.0.0.1:$SIMULATOR_PORT

# Secrets of the local stack, made once and kept in the git-ignored $DATA/.
random() { node -e 'process.stdout.write(require("crypto").randomBytes(32).toString(process.argv[1]))' "$1"; }
[ -f "$DATA/admin-token" ] || random hex > "$DATA/admin-token"
[ -f "$DATA/encryption-keys" ] || { printf "dev1:"; random base64; } > "$DATA/encryption-keys"
chmod 600 "$DATA/admin-token" "$DATA/encryption-keys" # also files made before this rule

# Each service runs in its own process group (job control on), so stopping a group stops
# everything that service started; nothing is left behind on Ctrl-C, SIGTERM or a crash.
set -m
pids=()
alive() { local stat; stat=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $stat != Z* ]]; }
# Services stop in reverse order, each given 15 s: the API and the worker first, while Temporal
# and the database still answer (a worker whose server is gone retries for minutes before it exits).
cleanup() {
  trap - INT TERM EXIT
  local i pid
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    pid=${pids[$i]}
    kill -TERM -- "-$pid" 2>/dev/null || continue
    for _ in $(seq 1 60); do alive "$pid" || break; sleep 0.25; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT
TS_NODE=(node -r ts-node/register/transpile-only)
wait_for() { for _ in $(seq 1 120); do if eval "$1" >/dev/null 2>&1; then return 0; fi; sleep 0.5; done; echo "dev: $2 did not come up" >&2; exit 1; }

.tools/temporal/bin/temporal server start-dev --ip 127.0.0.1 --port "$TEMPORAL_PORT" --ui-port "$TEMPORAL_UI_PORT" \
  --db-filename $DATA/temporal.db --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal --log-level warn \
  --search-attribute WorkspaceId=Keyword --search-attribute ScrubbingState=Keyword > $DATA/temporal.log 2>&1 &
pids+=($!)
if [ -z "${MONGO_URL:-}" ]; then
  mkdir -p $DATA/ferretdb
  .tools/ferretdb --handler=sqlite --sqlite-url=file:$DATA/ferretdb/ --listen-addr=127.0.0.1:$FERRETDB_PORT \
    --telemetry=disable --debug-addr=- --state-dir=$DATA/ferretdb --log-level=warn > $DATA/ferretdb.log 2>&1 &
  pids+=($!)
  MONGO_URL=mongodb://127.0.0.1:$FERRETDB_PORT/scrubbing
fi
# Shorter provider timings than the documented ones, so a demo attack completes in a minute.
SIMULATOR_PORT=$SIMULATOR_PORT SIM_CLOUDFLARE_CHANGE_INTERVAL_SECONDS=${SIM_CLOUDFLARE_CHANGE_INTERVAL_SECONDS:-0} \
  SIM_OVH_PENDING_MS=${SIM_OVH_PENDING_MS:-2000} SIM_HETZNER_IN_PROCESS_MS=${SIM_HETZNER_IN_PROCESS_MS:-3000} \
  "${TS_NODE[@]}" simulator/main.ts &
pids+=($!)

wait_for "curl -sf $SIM/_sim/requests" "the simulator"
sim() { curl -sf -X POST -H 'content-type: application/json' "$SIM/_sim/$1" -d "$2" >/dev/null; }
sim cloudflare/prefixes '{"accountId":"0123456789abcdef0123456789abcdef","token":"simulated-token","prefixId":"1123456789abcdef0123456789abcdef","bgpPrefixId":"2123456789abcdef0123456789abcdef","cidr":"192.0.2.0/24"}'
sim ovh/consumers '{"applicationKey":"demo-ak","applicationSecret":"demo-as","consumerKey":"demo-ck"}'
sim ovh/ips '{"ipBlock":"203.0.113.0/24","ip":"203.0.113.7","rules":3}'
sim hetzner/users '{"username":"#ws+demo","password":"demo-password"}'
sim hetzner/servers '{"serverNumber":4321,"firewall":{"rules":{"input":[{"name":"Allow HTTPS","protocol":"tcp","dst_port":"443","action":"accept"}],"output":[{"name":"Allow all","action":"accept"}]}}}'
sim gcore/prefixes '{"apiKey":"demo-gcore-key","clientId":4242,"prefix":"198.51.100.0/24"}'
wait_for ".tools/temporal/bin/temporal operator cluster health --address 127.0.0.1:$TEMPORAL_PORT" "Temporal"

export TEMPORAL_ADDRESS=127.0.0.1:$TEMPORAL_PORT MONGO_URL ENCRYPTION_KEYS=$(cat $DATA/encryption-keys)
CLOUDFLARE_API_URL=$SIM/cloudflare OVH_API_URL=$SIM/ovh/1.0 HETZNER_ROBOT_URL=$SIM/hetzner GCORE_API_URL=$SIM/gcore TEMPORAL_UI_URL=http://127.0.0.1:$TEMPORAL_UI_PORT \
  WORKER_METRICS_PORT=$WORKER_METRICS_PORT TEMPORAL_METRICS_PORT=$TEMPORAL_METRICS_PORT MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2} "${TS_NODE[@]}" worker/main.ts &
pids+=($!)
API_PORT=$API_PORT ADMIN_TOKEN=$(cat $DATA/admin-token) TEMPORAL_UI_URL=http://127.0.0.1:$TEMPORAL_UI_PORT "${TS_NODE[@]}" api/main.ts &
pids+=($!)
wait_for "curl -sf $API/readyz" "the API"

# The demo workspace, once: one integration per provider, pointing at the simulator. The simulator applies
# changes within seconds and has no change window, so Cloudflare and Hetzner get no provider windows here
# (minActiveSeconds/reactivateAfterSeconds 0); against the real providers leave the defaults.
if [ ! -s $DATA/demo-owner-key ]; then
  post() { curl -sf -X POST -H "authorization: Bearer $1" -H 'content-type: application/json' "$API$2" -d "$3"; }
  post "$(cat $DATA/admin-token)" /v1/workspaces '{"id":"demo","name":"Demo Hosting","holdDownSeconds":30}' |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).ownerKey.key))' > $DATA/demo-owner-key
  owner=$(cat $DATA/demo-owner-key)
  post "$owner" /v1/workspaces/demo/integrations '{"type":"cloudflare","name":"Magic Transit 192.0.2.0/24 (simulated)","minActiveSeconds":0,"reactivateAfterSeconds":0,"settings":{"accountId":"0123456789abcdef0123456789abcdef","prefixId":"1123456789abcdef0123456789abcdef","bgpPrefixId":"2123456789abcdef0123456789abcdef"},"credentials":{"apiToken":"simulated-token"}}' >/dev/null
  post "$owner" /v1/workspaces/demo/integrations '{"type":"ovh","name":"OVH edge firewall 203.0.113.7 (simulated)","settings":{"endpoint":"ovh-eu","ip":"203.0.113.7","ipBlock":"203.0.113.0/24"},"credentials":{"applicationKey":"demo-ak","applicationSecret":"demo-as","consumerKey":"demo-ck"}}' >/dev/null
  post "$owner" /v1/workspaces/demo/integrations '{"type":"hetzner","name":"Hetzner server 4321 (simulated)","minActiveSeconds":0,"reactivateAfterSeconds":0,"settings":{"serverNumber":4321},"credentials":{"username":"#ws+demo","password":"demo-password"}}' >/dev/null
  post "$owner" /v1/workspaces/demo/integrations '{"type":"gcore","name":"Gcore 198.51.100.0/24 (simulated)","settings":{"prefix":"198.51.100.0/24"},"credentials":{"apiKey":"demo-gcore-key"}}' >/dev/null
fi

cat <<MSG

scrubbing-orchestrator dev stack is up
  Console      $API/console/   (sign in with the demo owner key below)
  API          $API   (reference: $API/docs)
  Temporal UI  http://127.0.0.1:$TEMPORAL_UI_PORT
  Simulator    $SIM/_sim/requests
  Metrics      $API/metrics (API), http://127.0.0.1:$WORKER_METRICS_PORT/metrics (worker), http://127.0.0.1:$TEMPORAL_METRICS_PORT/metrics (Temporal SDK)
  Demo owner key (workspace "demo"): $(cat $DATA/demo-owner-key)
Try: curl -X POST -H "authorization: Bearer \$(cat $DATA/demo-owner-key)" -H 'content-type: application/json' \\
       -d '{"id":"attack-1","target":"192.0.2.10"}' $API/v1/workspaces/demo/incidents
Ctrl-C stops everything.
MSG
# Stop everything as soon as any service exits.
wait -n "${pids[@]}"
