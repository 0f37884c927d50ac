#!/usr/bin/env bash
# Chaos run: several gateway processes (the application jar) on one embedded PostgreSQL, against a fake fal that answers
# 15 % of submits 503, 15 % 429, drops the answer of 10 % of the submits it takes (the request runs, the gateway cannot
# know), and 500s 30 % of status calls; it serves output files at 64 KiB/s and cuts 10 % of downloads short. While the
# trainings are created, one instance is SIGKILLed and replaced, one is stopped with SIGTERM and replaced, and
# PostgreSQL is restarted; then an instance is SIGKILLed while output copies are in flight. It waits for every training
# to end and its copies to settle, and checks fal's side (each input reached fal once, nothing was billed twice, no fal
# request is left that no training owns) and the store's (every output file stored once, whole, with fal's bytes).
# Exits non-zero when any of that does not hold. Reports go to target/chaos/report-webhooks-{on,off}.md.
#   bench/chaos.sh                                    # 180 trainings, 3 instances, once with fal's webhooks, once without
#   TRAININGS=300 WEBHOOKS=on SEED=7 bench/chaos.sh
cd "$(dirname "$0")/.."
source bench/lib.sh

TRAININGS=${TRAININGS:-180} INSTANCES=${INSTANCES:-3} SEED=${SEED:-42} WEBHOOKS=${WEBHOOKS:-"on off"}
export JAVA_HOME=$(find_java)
echo "building the application jar and the test classes"
./mvnw -B -q -ntp -DskipTests package
./mvnw -B -q -ntp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/chaos-classpath.txt >/dev/null
jar=$(ls target/ltx-trainer-gateway-*.jar | grep -v plain | head -1)
classpath="target/test-classes:target/classes:$(cat target/chaos-classpath.txt)"

status=0
for webhooks in $WEBHOOKS; do
    out="target/chaos/webhooks-$webhooks"
    rm -rf "$out" && mkdir -p "$out"
    echo "=== chaos run: $TRAININGS trainings, $INSTANCES instances, fal's webhooks $webhooks (logs in $out)"
    "$JAVA_HOME/bin/java" -cp "$classpath" com.ltxgateway.chaos.ChaosRun --jar "$jar" --trainings "$TRAININGS" \
        --instances "$INSTANCES" --webhooks "$webhooks" --seed "$SEED" --out "$out" || status=1
    cp "$out"/report-*.md target/chaos/ 2>/dev/null || true
done
exit $status
