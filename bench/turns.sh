#!/usr/bin/env bash
# Fair turns at fal, as deployed: two gateway processes (the application jar) on one embedded PostgreSQL, the account
# limited to 4 trainings at fal, a fal stand-in whose runs take 2 s and end with a webhook. A sweep of 60 trainings, then
# two small teams of 8 and a team limited to 1 with 4. Reports the most requests fal held at once, duplicates, how long
# a slot freed at fal stayed empty while trainings waited, and each team's wait for its turn; exits non-zero when a
# limit was exceeded or a training was submitted twice. Report: target/turns/report.md.
#   bench/turns.sh
#   ACCOUNT_LIMIT=8 SWEEP=200 bench/turns.sh
cd "$(dirname "$0")/.."
source bench/lib.sh

export JAVA_HOME=$(find_java)
echo "building the application jar and the test classes"
./mvnw -B -q -ntp -DskipTests package
./mvnw -B -q -ntp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/turns-classpath.txt >/dev/null
jar=$(ls target/ltx-trainer-gateway-*.jar | grep -v plain | head -1)
"$JAVA_HOME/bin/java" -cp "target/test-classes:target/classes:$(cat target/turns-classpath.txt)" com.ltxgateway.bench.TurnsRun \
    --jar "$jar" --out target/turns --account-limit "${ACCOUNT_LIMIT:-4}" --sweep "${SWEEP:-60}" --small "${SMALL:-8}" \
    --run-seconds "${RUN_SECONDS:-2}"
