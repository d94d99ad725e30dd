#!/bin/sh
# Wanguard response script: Wanguard has no webhook of its own. In a Response, add an "Execute
# a custom script" action to both panels, with Wanguard's dynamic parameters as arguments:
#   when an anomaly is detected:  /opt/andrisoft/bin/scrubbing-report start {anomaly_id} {ip} {direction}
#   when an anomaly expires:      /opt/andrisoft/bin/scrubbing-report end {anomaly_id} {ip} {direction}
# It posts to a `generic` detector source of scrubbing-orchestrator; {anomaly_id} keys the attack,
# so the detection and its expiry meet. Outgoing anomalies (our host attacking) are not reported:
# scrubbing filters what reaches us.
#   SCRUBBING_URL: the URL the source was created with (https://…/v1/ingest/det_…/<secret>)
SCRUBBING_URL=${SCRUBBING_URL:-https://scrubbing.example.net/v1/ingest/det_xxxxxxxxxxxxxxxxxxxx/secret}
EVENT=$1 ANOMALY=$2 IP=$3 DIRECTION=$4
case "$EVENT" in start | end) ;; *) echo "usage: $0 start|end {anomaly_id} {ip} {direction}" >&2; exit 2 ;; esac
[ "$DIRECTION" = outgoing ] && exit 0
curl -fsS --retry 10 --retry-max-time 300 -X POST -H 'content-type: application/json' \
  -d "{\"event\":\"$EVENT\",\"id\":\"wanguard-$ANOMALY\",\"target\":\"$IP\"}" "$SCRUBBING_URL"
