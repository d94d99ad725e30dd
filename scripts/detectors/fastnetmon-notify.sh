#!/bin/sh
# FastNetMon Community notify script: set notify_script_path to this file in fastnetmon.conf.
# FastNetMon calls it with the attacked IP, the direction, the pps and ban / unban (details on
# stdin); it posts them to a `generic` detector source of scrubbing-orchestrator, one attack per
# attacked IP, so a ban and its unban meet.
#   SCRUBBING_URL: the URL the source was created with (https://…/v1/ingest/det_…/<secret>)
SCRUBBING_URL=${SCRUBBING_URL:-https://scrubbing.example.net/v1/ingest/det_xxxxxxxxxxxxxxxxxxxx/secret}
IP=$1 DIRECTION=$2 PPS=$3 ACTION=$4
case "$ACTION" in
  ban) EVENT=start ;;
  unban) EVENT=end ;;
  *) cat > /dev/null; exit 0 ;;
esac
case "$PPS" in '' | *[!0-9]*) PPS=0 ;; esac
# Retries cover the API being unreachable, a 429 or a 503; the API keeps what it accepted.
curl -fsS --retry 10 --retry-max-time 300 -X POST -H 'content-type: application/json' \
  -d "{\"event\":\"$EVENT\",\"id\":\"fnm-$IP\",\"target\":\"$IP\",\"peakPps\":$PPS,\"severity\":\"$DIRECTION\"}" "$SCRUBBING_URL"
cat > /dev/null # the attack details on stdin are not needed
