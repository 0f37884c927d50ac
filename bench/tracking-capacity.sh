#!/usr/bin/env bash
# Tracking capacity: one instance follows N in-flight sandbox trainings (default 10,000) that stay queued at the
# simulator, polled at the default intervals (2 s growing to 30 s). Every few seconds it samples how many jobs are
# due but not yet claimed, and how late the most overdue one is: an instance that keeps up shows a handful of due
# jobs and lateness well under its poll interval; one that falls behind shows both growing.
#   bench/tracking-capacity.sh               # 10,000 trainings, sampled for 180 s
cd "$(dirname "$0")/.."
source bench/lib.sh

TRAININGS=${TRAININGS:-10000} SAMPLE_FOR=${SAMPLE_FOR:-180}
export GATEWAY_SANDBOX_QUEUE_DURATION=${GATEWAY_SANDBOX_QUEUE_DURATION:-2h}
start_gateway

echo "creating $TRAININGS trainings"
started=$(date +%s)
seq 1 "$TRAININGS" | xargs -P 16 -I{} curl -s -o /dev/null -w '%{http_code}\n' -X POST "$BASE_URL/v1/trainings" \
    -H "Authorization: Bearer $TEAM_KEY" -H 'Content-Type: application/json' \
    -d '{"input":{"training_data_url":"https://example.com/track/{}.zip","number_of_steps":1000}}' | sort | uniq -c
echo "created in $(( $(date +%s) - started )) s"

echo "time_s  in_flight  queued  due_unclaimed  max_lateness_s  p99_interval_s"
for ((t = 0; t <= SAMPLE_FOR; t += 10)); do
    psql -qtA -F '  ' "$PSQL_URL" -c "
        select $t,
               (select count(*) from tracking_job),
               (select count(*) from training where status = 'queued'),
               count(*) filter (where due_at < now() and lease_until is null),
               coalesce(round(extract(epoch from max(now() - due_at) filter (where due_at < now() and lease_until is null))::numeric, 2), 0),
               round((percentile_cont(0.99) within group (order by poll_interval_ms) / 1000.0)::numeric, 1)
        from tracking_job"
    sleep 10
done
grep -c "tracker could not claim work" "$BENCH_LOG" | sed 's/^/claim errors in log: /'
