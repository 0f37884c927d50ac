# Shared by the benchmark scripts: starts the gateway's local run (embedded PostgreSQL, sandbox) in the
# background with the caller's GATEWAY_* settings, and stops it on exit.
set -euo pipefail

BENCH_LOG=${BENCH_LOG:-target/bench-gateway.log}
export GATEWAY_BOOTSTRAP_ADMIN_KEY=${GATEWAY_BOOTSTRAP_ADMIN_KEY:-ltx_admin_bench_00000000000000000000000000}
export SERVER_PORT=${SERVER_PORT:-8090}
BASE_URL="http://localhost:$SERVER_PORT"

find_java() {
    for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/*; do
        if [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && \
           [ "$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')" -ge 21 ] 2>/dev/null; then
            echo "$candidate"; return 0
        fi
    done
    return 1
}

ensure_tool() {
    command -v "$1" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }
}

start_gateway() {
    export JAVA_HOME=$(find_java)
    mkdir -p target
    setsid ./mvnw -B -q spring-boot:test-run >"$BENCH_LOG" 2>&1 &
    GATEWAY_PGID=$!
    trap stop_gateway EXIT
    for _ in $(seq 1 120); do
        grep -q "Sandbox team key" "$BENCH_LOG" 2>/dev/null && break
        sleep 1
    done
    grep -q "Sandbox team key" "$BENCH_LOG" || { echo "gateway did not start; see $BENCH_LOG" >&2; exit 1; }
    TEAM_KEY=$(grep -o 'Sandbox team key: *[^ ]*' "$BENCH_LOG" | awk '{print $4}')
    DATABASE_URL=$(grep -o 'Database: jdbc:postgresql://[^ ]*' "$BENCH_LOG" | tail -1 | sed 's/Database: jdbc://')
    PSQL_URL="${DATABASE_URL/postgresql:\/\//postgresql://postgres@}"
}

stop_gateway() {
    kill -- -"$GATEWAY_PGID" 2>/dev/null || true
    wait "$GATEWAY_PGID" 2>/dev/null || true
}
