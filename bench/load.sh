#!/usr/bin/env bash
# The gateway as it runs, under load, in one run: creates with the tracker on (a live team key, the tracker
# submitting and polling what it accepts, fal's webhooks on, against a fal stand-in on loopback) and off, the bare
# PostgreSQL floor, reads by id and fal's status polls through the proxy facade while trainings are tracked, and 10,000
# trainings in flight in a 512 MB heap.
# The gateway runs from the application jar; the report goes to target/load/report.md.
#   bench/load.sh                                       # every phase, 20 s per measurement
#   PHASES=tracker-off,tracker-on DURATION=30 bench/load.sh
#   PHASES=tracker-off,tracker-on,tracker-on-uncopied bench/load.sh   # what copying outputs adds, in one run
#   ROUNDS=3 PHASES=floor,tracker-off,tracker-on bench/load.sh   # the windows alternated three times: each round's
#                                                    # ratios and their median
#   PHASES=tracker-off,tracker-off-budgeted bench/load.sh   # what a team's budget costs a create, with MONTH_HISTORY
#                                                    # (10,000) live trainings created earlier in the month
#   HELD_READ_RATE=1000 HELD_RATE=3000 PHASES=get bench/load.sh   # reads by id, fal's status polls and the probe,
#                                                    # flat out (wrk), then at held rates (reads, the other two),
#                                                    # each request timed from when it was due
#   JAR=/tmp/before.jar OUT=target/load-before bench/load.sh   # an earlier build, measured by the same harness
#   JVM_OPTIONS="-XX:+UseSerialGC" bench/load.sh     # the gateway's JVM options besides its heap, in place of the
#                                                    # image's collector (-XX:+UseG1GC); the harness's JVM keeps its own
#   PROFILE=true PHASES=tracker-on bench/load.sh     # a flight recording of each measured window: target/load/*.jfr,
#                                                    # summed up by bench/jfr-profile.py target/load/tracker-on.jfr;
#                                                    # a tracker-on window's catch-up after it in tracker-on-catch-up.jfr
# Each tracker-on window's catch-up (the tracker finishing the window's trainings) is written down every 5 s in
# target/load/tracker-on-catch-up.tsv: trainings open, submits to fal, how fal's deliveries fared, the gateway's CPU;
# if the fal stand-in ends no delivery attempt for 20 s while it takes submits, its threads go to
# target/load/tracker-on-stand-in-threads.json.
#   WARM_UP=10 bench/load.sh                         # each window's warm-up a fixed 10 s, as runs before 2026-12-07;
#                                                    # by default (settled) its load runs in 10 s steps until the JIT
#                                                    # compiler takes under 5 % of the gateway's CPU in a step's load
#                                                    # (3 min of load at most; with the tracker on, each step's trainings
#                                                    # end before the next step, and a warm-up stops after 12 min in all)
cd "$(dirname "$0")/.."
source bench/lib.sh
ensure_tool wrk wrk
ensure_tool pgbench postgresql-client

export JAVA_HOME=$(find_java)
echo "building the application jar and the test classes"
./mvnw -B -q -ntp -DskipTests package
./mvnw -B -q -ntp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt >/dev/null
# JAR=... measures another build (an earlier commit's, say) with this run's harness.
jar=${JAR:-$(ls target/ltx-trainer-gateway-*.jar | grep -v plain | head -1)}
classpath="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"

# The harness's own JVM runs the fal stand-in, which keeps every request it was sent: its collector's log shows
# whether it, rather than the gateway, was slow at a moment of the run.
out=${OUT:-target/load}
mkdir -p "$out"
"$JAVA_HOME/bin/java" "-Xlog:gc:file=$out/harness-gc.log" -cp "$classpath" com.ltxgateway.bench.LoadRun --jar "$jar" --out "$out" \
    --duration "${DURATION:-20}" --connections "${CONNECTIONS:-8}" --tracked "${TRACKED:-1000}" \
    --held-read-rate "${HELD_READ_RATE:-1000}" --held-rate "${HELD_RATE:-3000}" \
    --in-flight "${IN_FLIGHT:-10000}" --sample-for "${SAMPLE_FOR:-240}" --month-history "${MONTH_HISTORY:-10000}" \
    --phases "${PHASES:-floor,tracker-off,tracker-on,get,memory}" --rounds "${ROUNDS:-1}" --profile "${PROFILE:-false}" \
    --jvm-options "${JVM_OPTIONS:--XX:+UseG1GC}" --warm-up "${WARM_UP:-settled}"
