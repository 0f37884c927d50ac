#!/usr/bin/env bash
# Create throughput and latency: wrk posts trainings with a sandbox key to one gateway instance on loopback.
# The tracker is off during the run (GATEWAY_TRACKER_ENABLED=false) so the numbers are the API's own;
# set TRACKER=true to measure with submission to the sandbox running alongside.
#   bench/create-throughput.sh                 # 2 threads, 32 connections, 30 s after a 10 s warm-up
cd "$(dirname "$0")/.."
source bench/lib.sh
ensure_tool wrk wrk

export GATEWAY_TRACKER_ENABLED=${TRACKER:-false}
THREADS=${THREADS:-2} CONNECTIONS=${CONNECTIONS:-32} DURATION=${DURATION:-30s}
start_gateway

echo "warm-up (10 s)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d10s -s bench/create.lua -H "Authorization: Bearer $TEAM_KEY" "$BASE_URL/v1/trainings" >/dev/null
echo "measured run: $THREADS threads, $CONNECTIONS connections, $DURATION, tracker enabled: $GATEWAY_TRACKER_ENABLED"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/create.lua \
    -H "Authorization: Bearer $TEAM_KEY" "$BASE_URL/v1/trainings"
echo "trainings stored: $(psql -qtA "$PSQL_URL" -c 'select count(*) from training')"
