#!/usr/bin/env bash
# Create throughput and latency: wrk posts trainings with a sandbox key to one gateway instance on loopback.
# The tracker is off during the run (GATEWAY_TRACKER_ENABLED=false) so the numbers are the API's own;
# set TRACKER=true to measure with submission to the sandbox running alongside.
#   bench/create-throughput.sh                        # 1 wrk thread; 8, 16 and 32 connections; 30 s each after a warm-up
#   CONNECTIONS="16" DURATION=60s bench/create-throughput.sh
cd "$(dirname "$0")/.."
source bench/lib.sh
ensure_tool wrk wrk

export GATEWAY_TRACKER_ENABLED=${TRACKER:-false}
# One wrk thread: on a 2-core machine every core wrk takes is one the gateway and PostgreSQL lose.
THREADS=${THREADS:-1} CONNECTIONS=${CONNECTIONS:-8 16 32} DURATION=${DURATION:-30s}
start_gateway

echo "warm-up (20 s)"
wrk -t"$THREADS" -c16 -d20s -s bench/create.lua -H "Authorization: Bearer $TEAM_KEY" "$BASE_URL/v1/trainings" >/dev/null
for connections in $CONNECTIONS; do
    echo "=== $THREADS wrk thread(s), $connections connections, $DURATION, tracker enabled: $GATEWAY_TRACKER_ENABLED"
    wrk -t"$THREADS" -c"$connections" -d"$DURATION" --latency -s bench/create.lua \
        -H "Authorization: Bearer $TEAM_KEY" "$BASE_URL/v1/trainings"
done
echo "trainings stored: $(psql -qtA "$PSQL_URL" -c 'select count(*) from training')"
