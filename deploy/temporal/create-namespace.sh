#!/bin/sh
# One-shot job (temporalio/admin-tools): waits until the Temporal server answers, then registers the
# namespace the orchestrator uses (retention 7 days) if it does not exist yet.
set -eu
ns=${TEMPORAL_NAMESPACE:-default}
i=0
until temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; do
  i=$((i + 1))
  [ "$i" -ge 60 ] && { echo "namespace: Temporal at $TEMPORAL_ADDRESS did not answer in 120 s" >&2; exit 1; }
  sleep 2
done
temporal operator namespace describe --address "$TEMPORAL_ADDRESS" -n "$ns" >/dev/null 2>&1 \
  || temporal operator namespace create --address "$TEMPORAL_ADDRESS" -n "$ns" --retention 7d
echo "namespace: $ns ready"
