package com.ltxgateway.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.ltxgateway.fal.FakeFalServer;
import com.ltxgateway.fal.FakeFalWebhooks;
import com.ltxgateway.support.CommandLineOptions;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.springframework.util.FileSystemUtils;
import tools.jackson.databind.json.JsonMapper;

/**
 * The load run behind {@code bench/load.sh}: the gateway as it runs (the application jar, a live team key, the tracker
 * submitting and polling what it accepts, fal's webhooks on) against a fal stand-in on loopback, compared in one run
 * with the same API with the tracker off and with the bare PostgreSQL floor. Not a test: it takes minutes, and its
 * figures are ratios of one run, since these machines are shared and noisy.
 * <p>
 * Phases, each on a database of its own so no phase tracks another's trainings:
 * <ol>
 * <li>{@code floor}: pgbench commits a 3 KB jsonb row and an event row per transaction, 16 clients.</li>
 * <li>{@code tracker-off}: wrk posts trainings for {@code --duration} at {@code --connections}.</li>
 * <li>{@code tracker-off-budgeted}: the same for a team with a budget and {@code --month-history} live trainings
 * created earlier in the month, which each create sums up under the team's budget lock.</li>
 * <li>{@code tracker-on}: the same, then every training followed to {@code succeeded}; the gateway's CPU seconds from
 * the first create to the last success, fal's calls and the database's statements (pg_stat_statements), divided by the
 * trainings completed.</li>
 * <li>{@code tracker-on-uncopied}: the same with every output copy refused before it is fetched (the source hosts
 * name none of the stand-in's), for what copying adds, in the same run.</li>
 * <li>{@code get}: {@code --tracked} trainings kept queued at fal and tracked while wrk reads them back by id at 16
 * connections, then fal's status polls through the proxy facade; then the liveness probe at the same load, the tail of
 * a request that does no work; then the three at held rates, each request timed from when it was due
 * ({@link HeldRate}): reads at {@code --held-read-rate}, polls and the probe at {@code --held-rate}.</li>
 * <li>{@code memory}: {@code --in-flight} trainings tracked by an instance with {@code -Xmx512m}: how late its polls
 * run, and its resident memory.</li>
 * </ol>
 * Each measured window of the gateway follows a warm-up with the window's own load, until the JIT compiler has settled
 * ({@link #warmUp}); the report gives how long it took and the compiler's share of each window's CPU.
 * <p>
 * With {@code --rounds} above 1 the phases (only {@code floor} and the create phases) run again in the same order, round
 * after round, and the summary gives each round's ratios and their median: one pair of windows minutes apart is at the
 * mercy of whatever else the machine runs meanwhile, and alternating windows spread that over both sides.
 *
 * <pre>
 * java -cp ... com.ltxgateway.bench.LoadRun --jar target/app.jar [--out target/load] [--duration 20] [--connections 8]
 *      [--tracked 1000] [--held-read-rate 1000] [--held-rate 3000] [--in-flight 10000] [--sample-for 240] [--month-history 10000]
 *      [--phases floor,tracker-off,tracker-on,get,memory] [--rounds 1]
 *      [--jvm-options -XX:+UseG1GC]   (the gateway's JVM options besides its heap; by default the image's collector)
 *      [--profile true]     (a Java Flight Recorder profile of each measured window: target/load/PHASE.jfr, bench/jfr-profile.py;
 *                            a tracker-on window's catch-up in PHASE-catch-up.jfr)
 *      [--warm-up settled]  (each window's warm-up: until the JIT compiler settles, or a number of seconds)
 * </pre>
 */
public final class LoadRun {

    private static final JsonMapper JSON = JsonMapper.shared();
    private static final String FAL_KEY = "fal-load-key-0123456789";
    private static final String ADMIN_KEY = "ltx_admin_load_0123456789abcdefghijklmnopqrstuvwxyz";
    private static final long CLOCK_TICKS_PER_SECOND = 100;
    /** A settling warm-up's step, and its end: the JIT compiler's share of a step's CPU, and the longest it goes on. */
    private static final int WARM_UP_STEP_SECONDS = 10;
    private static final double COMPILER_SETTLED = 0.05;
    private static final Duration WARM_UP_LIMIT = Duration.ofMinutes(3);
    /** The longest a warm-up goes on, the waits after its steps included. */
    private static final Duration WARM_UP_WALL_LIMIT = Duration.ofMinutes(12);
    /** The output copies of the trainings created after the first {@code %d} (the warm-up's), in a state. */
    private static final String WINDOWS_COPIES = """
            select count(*) from output_copy where state %s
            and training_id not in (select id from training order by created_at limit %d)""";
    /** How often the timeline of a window's catch-up is written. */
    private static final Duration TIMELINE_STEP = Duration.ofSeconds(5);
    /** Steps of the timeline without a single delivery attempt ended after which the stand-in's threads are dumped. */
    private static final int STAND_IN_STUCK_STEPS = 4;
    /** Marks the run's own queries, which the statements of a window leave out. */
    private static final String HARNESS = "/* load run */ ";

    private final Options options;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<String, String> results = new LinkedHashMap<>();
    private final List<String> report = new ArrayList<>();
    private EmbeddedPostgres postgres;
    private FakeFalServer fal;
    private FakeFalWebhooks webhooks;
    /** Set by {@link #catchUp} when the stand-in got stuck in the catch-up, for the window's report. */
    private String standInStuck;
    private volatile GatewayProcess current;
    /** Names this round's windows, files and figures: empty in the first round, {@code -2} in the second... */
    private String round = "";

    private LoadRun(Options options) {
        this.options = options;
    }

    record Options(Path jar, Path out, int durationSeconds, int connections, int tracked, int heldReadRate, int heldRate,
            int inFlight, int sampleForSeconds, int monthHistory, List<String> phases, int rounds, boolean profile,
            List<String> jvmOptions, String warmUp) {

        /** The phases whose figures are named by round; the others would overwrite their first round's. */
        private static final List<String> REPEATABLE = List.of("floor", "tracker-off", "tracker-off-budgeted", "tracker-on",
                "tracker-on-uncopied");

        Options {
            if (rounds > 1 && !REPEATABLE.containsAll(phases)) {
                throw new IllegalArgumentException("--rounds repeats only the phases " + REPEATABLE + ", not " + phases);
            }
            if (!warmUp.equals("settled") && !warmUp.matches("[1-9][0-9]*")) {
                throw new IllegalArgumentException("--warm-up is settled or a number of seconds, not " + warmUp);
            }
        }

        static Options parse(String[] args) {
            CommandLineOptions given = CommandLineOptions.parse(args, "jar");
            return new Options(Path.of(given.get("jar")), Path.of(given.get("out", "target/load")), given.integer("duration", 20),
                    given.integer("connections", 8), given.integer("tracked", 1000), given.integer("held-read-rate", 1000),
                    given.integer("held-rate", 3000), given.integer("in-flight", 10000),
                    given.integer("sample-for", 240), given.integer("month-history", 10000), List.of(given.get("phases", "floor,tracker-off,tracker-on,get,memory").split(",")),
                    given.integer("rounds", 1), Boolean.parseBoolean(given.get("profile", "false")),
                    List.of(given.get("jvm-options", "-XX:+UseG1GC").split(" ")).stream().filter(option -> !option.isBlank()).toList(),
                    given.get("warm-up", "settled"));
        }
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        Files.createDirectories(options.out());
        LoadRun run = new LoadRun(options);
        try {
            run.run();
        }
        finally {
            run.shutDown();
        }
        System.exit(0);
    }

    private void run() throws Exception {
        // pg_stat_statements: what the database did for the trainings of a tracker-on window, statement by statement.
        postgres = EmbeddedPostgres.builder().setServerConfig("max_connections", "300")
                .setServerConfig("shared_preload_libraries", "pg_stat_statements").start();
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("create extension if not exists pg_stat_statements");
        }
        fal = FakeFalServer.start(FAL_KEY);
        webhooks = FakeFalWebhooks.start();
        // fal's webhooks go to whichever gateway is running, as through a load balancer.
        fal.sendWebhooks(webhooks).webhookTarget(url -> current.url(url.getRawPath()));
        note("# Load run %s", Instant.now());
        note("");
        note("%d s per measurement, %d wrk connections for creates; PostgreSQL %s embedded on port %d; the gateway's JVM options: %s.",
                options.durationSeconds(), options.connections(), serverVersion(), postgres.getPort(), String.join(" ", options.jvmOptions()));
        for (int r = 1; r <= options.rounds(); r++) {
            round = roundSuffix(r);
            for (String phase : options.phases()) {
                switch (phase) {
                    case "floor" -> floor();
                    case "tracker-off" -> creates(false, true, 0);
                    case "tracker-off-budgeted" -> creates(false, true, options.monthHistory());
                    case "tracker-on" -> creates(true, true, 0);
                    case "tracker-on-uncopied" -> creates(true, false, 0);
                    case "get" -> reads();
                    case "memory" -> memory();
                    default -> throw new IllegalArgumentException("unknown phase " + phase);
                }
            }
        }
        summary();
        Files.write(options.out().resolve("report.md"), report);
        System.out.println("report: " + options.out().resolve("report.md"));
    }

    // --- phases ----------------------------------------------------------------------------------------------------

    private void floor() throws Exception {
        String database = database("floor" + round.replace('-', '_'));
        try (Connection c = connect(database); Statement s = c.createStatement()) {
            s.execute("create table training (id text primary key, input jsonb not null, created_at timestamptz not null)");
            s.execute("create table training_event (id bigserial primary key, training_id text not null, type text not null,"
                    + " at timestamptz not null)");
        }
        String padding = "x".repeat(3000);
        Path script = options.out().resolve("floor.sql");
        Files.writeString(script, """
                \\set n random(1, 1000000000)
                begin;
                insert into training values (md5(:n::text || clock_timestamp()::text), jsonb_build_object('training_data_url', 'https://example.com/' || :n, 'padding', '%s'), now());
                insert into training_event (training_id, type, at) values (:n::text, 'created', now());
                commit;
                """.formatted(padding));
        String out = exec(List.of("pgbench", "-n", "-c", "16", "-j", "2", "-T", Integer.toString(options.durationSeconds()), "-f",
                script.toString(), "-h", "localhost", "-p", Integer.toString(postgres.getPort()), "-U", "postgres", database));
        Matcher tps = Pattern.compile("tps = ([0-9.]+)").matcher(out);
        double value = tps.find() ? Double.parseDouble(tps.group(1)) : 0;
        drop(database);
        results.put("floor" + round + " tps", format(value));
        note("");
        note("## PostgreSQL floor (pgbench, 16 clients, %d s)%s", options.durationSeconds(), roundTitle());
        note("");
        note("%s transactions/s, each a 3 KB jsonb row and an event row.", format(value));
    }

    /** {@code monthHistory} above 0: the team has a budget and that many live trainings created earlier this month. */
    private void creates(boolean tracker, boolean copies, int monthHistory) throws Exception {
        String name = (!tracker ? "tracker-off" : copies ? "tracker-on" : "tracker-on-uncopied") + (monthHistory > 0 ? "-budgeted" : "") + round;
        fal.runsAsDefault().queueDuration(Duration.ofSeconds(1)).runDuration(Duration.ofSeconds(3));
        Map<String, String> settings = new LinkedHashMap<>(Map.of("GATEWAY_TRACKER_ENABLED", Boolean.toString(tracker)));
        if (!copies) {
            // No output is on a source host: each copy is refused when the training succeeds, without a download.
            settings.put("GATEWAY_ARTIFACTS_SOURCE_HOSTS", "copies-refused.invalid");
        }
        GatewayProcess gateway = start(name, database(name.replace('-', '_')), settings, "768m");
        String key = teamKey(gateway);
        if (monthHistory > 0) {
            budgeted(gateway, key, monthHistory);
        }
        // The tracker finishes what each step of the warm-up took, so the measured trainings are all that it works on.
        WarmUp warmUp = warmUp(gateway,
                seconds -> wrk(gateway, "create", "/v1/trainings", key, options.connections(), "bench/create.lua", List.of(), seconds),
                () -> {
                    if (tracker) {
                        awaitAllEnded(gateway.database(), Duration.ofMinutes(10));
                    }
                });
        long succeededBefore = tracker ? awaitAllEnded(gateway.database(), Duration.ofMinutes(10)) : 0;
        long warmedUp = count(gateway.database(), "select count(*) from training");
        Map<String, Integer> falBefore = falCalls();
        long unansweredBefore = tracker ? falCallsUnanswered(gateway) : 0;
        GatewayProcess.Cpu cpuBefore = gateway.cpu();
        resetStatements();
        startProfile(gateway);
        Instant began = Instant.now();
        Wrk wrk = wrk(gateway, "create", "/v1/trainings", key, options.connections(), "bench/create.lua", List.of(), options.durationSeconds());
        stopProfile(gateway);
        if (tracker) {
            startProfile(gateway);
        }
        // How far the tracker got while callers waited: it steps aside for them, and catches up once they are answered.
        long submittedInWindow = fal.callCount(FakeFalServer.SUBMIT) - falBefore.get(FakeFalServer.SUBMIT);
        long succeeded = tracker ? catchUp(gateway, name, began, Duration.ofMinutes(10)) - succeededBefore : 0;
        long created = count(gateway.database(), "select count(*) from training") - warmedUp;
        if (tracker) {
            stopProfile(gateway, name + "-catch-up");
        }
        note("");
        note("## Creates, tracker %s%s (wrk, %d connections, %d s)%s", !tracker ? "off" : copies ? "on" : "on, output copies refused",
                monthHistory > 0 ? ", the team on a budget" : "", options.connections(), options.durationSeconds(), roundTitle());
        note("");
        if (monthHistory > 0) {
            note("The team's live trainings this month: %d when the measured window began (%d of them seeded), %d when it ended.",
                    warmedUp, monthHistory, warmedUp + created);
            note("");
        }
        note("%s", warmUp.describe());
        note("");
        note("| creates/s | p50 | p90 | p99 | max | non-2xx | stored | gateway CPU per create, in the window | of it the JIT compiler's |");
        note("|---|---|---|---|---|---|---|---|---|");
        note("| %s | %s | %s | %s | %s | %d | %d | %s ms | %s %% |", format(wrk.requestsPerSecond()), wrk.p50(), wrk.p90(), wrk.p99(), wrk.max(),
                wrk.errors(), created, format(wrk.cpuMsPerRequest()), format(wrk.compilerShare() * 100));
        results.put(name + " warm-up", warmUp.summary());
        results.put(name + " cpu ms per create", format(wrk.cpuMsPerRequest()));
        results.put(name + " jit share of the window's cpu", format(wrk.compilerShare() * 100) + " %");
        results.put(name + " creates/s", format(wrk.requestsPerSecond()));
        results.put(name + " p99", wrk.p99());
        results.put(name + " errors", Long.toString(wrk.errors()));
        if (tracker) {
            GatewayProcess.Use used = gateway.cpu().since(cpuBefore);
            double cpu = used.ticks() / (double) CLOCK_TICKS_PER_SECOND;
            Duration took = Duration.between(began, Instant.now());
            Map<String, Integer> falAfter = falCalls();
            note("");
            note("All %d trainings ended and their output files were copied (%d stored, %d not) %s s after the first measured create;"
                    + " %d succeeded. Gateway CPU: %s s, **%s ms per training**, %s %% of it the JIT compiler's.", created,
                    count(gateway.database(), WINDOWS_COPIES.formatted("= 'stored'", warmedUp)),
                    count(gateway.database(), WINDOWS_COPIES.formatted("<> 'stored'", warmedUp)),
                    took.toSeconds(), succeeded, format(cpu), format(succeeded == 0 ? 0 : cpu * 1000 / succeeded),
                    format(used.compilerShare() * 100));
            note("");
            note("While the window's creates were answered, the tracker submitted %d trainings to fal (%s a second); the rest"
                    + " after the window.", submittedInWindow, format(submittedInWindow / (double) options.durationSeconds()));
            results.put(name + " submitted to fal in the window, per second", format(submittedInWindow / (double) options.durationSeconds()));
            note("");
            note("| fal calls per training | submit | status | result | cancel | webhooks delivered |");
            note("|---|---|---|---|---|---|");
            note("| %s | %s | %s | %s | %s | %s |", perTraining(falAfter, falBefore, null, succeeded),
                    perTraining(falAfter, falBefore, FakeFalServer.SUBMIT, succeeded), perTraining(falAfter, falBefore, FakeFalServer.STATUS, succeeded),
                    perTraining(falAfter, falBefore, FakeFalServer.RESULT, succeeded), perTraining(falAfter, falBefore, FakeFalServer.CANCEL, succeeded),
                    perTraining(falAfter, falBefore, "webhooks", succeeded));
            Map<String, Long> webhookOutcomes = fal.webhookDeliveries().stream().filter(d -> !d.at().isBefore(began))
                    .collect(Collectors.groupingBy(LoadRun::outcome, TreeMap::new, Collectors.counting()));
            note("");
            note("fal's webhook deliveries from the window's first create until its trainings ended, by outcome (`timeout`: not answered"
                    + " within the stand-in's 2 s, `connect`: not connected within them): %s", webhookOutcomes);
            if (standInStuck != null) {
                note("");
                note("%s", standInStuck);
                standInStuck = null;
            }
            note("");
            // The stand-in answers every call: what the gateway counted as unanswered went wrong on its side.
            note("fal calls the gateway counted as unanswered (`gateway_fal_calls_seconds`, outcome `unavailable`) meanwhile: %d.",
                    falCallsUnanswered(gateway) - unansweredBefore);
            statements(gateway.database(), name, succeeded);
            String suffix = (copies ? "" : " (copies refused)") + roundTitle();
            results.put("cpu ms per training" + suffix, format(succeeded == 0 ? 0 : cpu * 1000 / succeeded));
            results.put("fal calls per training" + suffix, perTraining(falAfter, falBefore, null, succeeded));
        }
        gateway.stop();
        // Its dead rows would otherwise be vacuumed while the next window is measured.
        drop(gateway.database());
        // A tracker-on phase copies some 100,000 files, 10 GB, and a run of rounds filled the disk with them.
        FileSystemUtils.deleteRecursively(artifacts(gateway.name()));
    }

    /**
     * A budget the run cannot reach, and a month of finished live trainings behind it, which every create sums under
     * the team's budget lock. The history copies a training made through the API, spread over the month so far, and
     * is vacuumed as autovacuum would have done by the time a month holds that many.
     */
    private void budgeted(GatewayProcess gateway, String key, int history) throws Exception {
        send(gateway, "PUT", "/v1/admin/teams/load/budget", ADMIN_KEY, "{\"monthly_usd\":1000000}");
        createMany(gateway, key, 1);
        try (Connection c = connect(gateway.database()); Statement s = c.createStatement()) {
            s.execute("""
                    insert into training (id, team_id, mode, status, input, number_of_steps, unit_price_usd, estimated_cost_usd,
                                          cost_usd, metadata, priority, created_at, submitted_at, started_at, finished_at)
                    select 'trn_history_' || g, t.team_id, t.mode, case when g %% 10 = 0 then 'failed' else 'succeeded' end, t.input,
                           t.number_of_steps, t.unit_price_usd, t.estimated_cost_usd,
                           case when g %% 10 = 0 then 0 else t.estimated_cost_usd end, t.metadata, t.priority,
                           m.start + (t.created_at - m.start) * g / (%d + 1), t.created_at, t.created_at, t.created_at
                    from (select * from training limit 1) t,
                         (select date_trunc('month', now() at time zone 'UTC') at time zone 'UTC' as start) m,
                         generate_series(1, %d) g""".formatted(history, history));
            s.execute("vacuum analyze training");
        }
    }

    private void reads() throws Exception {
        // Queued at fal for longer than the phase: every training stays tracked while it is read.
        fal.runsAsDefault().queueDuration(Duration.ofHours(2)).runDuration(Duration.ofSeconds(3));
        GatewayProcess gateway = start("get", database("get"), Map.of(), "768m");
        String key = teamKey(gateway);
        List<String> ids = createMany(gateway, key, options.tracked());
        Path idFile = options.out().resolve("ids.txt");
        Files.write(idFile, ids);
        awaitSubmitted(gateway.database(), options.tracked(), Duration.ofMinutes(5));
        List<String> idArgument = List.of(idFile.toAbsolutePath().toString());
        WarmUp readsWarmUp = warmUp(gateway, seconds -> wrk(gateway, "get", "/v1/trainings", key, 16, "bench/get.lua", idArgument, seconds));
        startProfile(gateway);
        Wrk wrk = wrk(gateway, "get", "/v1/trainings", key, 16, "bench/get.lua", idArgument, options.durationSeconds());
        stopProfile(gateway);
        // What fal's clients poll through the proxy facade every 500 ms while they wait, on the same trainings.
        WarmUp pollsWarmUp = warmUp(gateway,
                seconds -> wrk(gateway, "proxy-status", "/api/fal/proxy", key, 16, "bench/proxy-status.lua", idArgument, seconds));
        startProfile(gateway);
        Wrk proxy = wrk(gateway, "proxy-status", "/api/fal/proxy", key, 16, "bench/proxy-status.lua", idArgument, options.durationSeconds());
        stopProfile(gateway, "proxy-status");
        // The same load on a request that does no work at all (no key, no database): what this machine's scheduling
        // of wrk, PostgreSQL and the instance alone makes of the tail, with the same trainings tracked meanwhile.
        Wrk probe = wrk(gateway, "liveness", "/actuator/health/liveness", key, 16, null, List.of(), options.durationSeconds());
        // The same requests at held rates, each timed from when it was due: what a caller sees at that load. Reads by id
        // at --held-read-rate (1,000: each tracked training read once a second), fal's status polls and the probe at
        // --held-rate (3,000, what the proxy facade is to answer).
        LongFunction<String> id = n -> ids.get((int) (n % ids.size()));
        LongFunction<okhttp3.Request> read = n -> request(gateway, "/v1/trainings/" + id.apply(n))
                .header("Authorization", "Bearer " + key).build();
        LongFunction<okhttp3.Request> poll = n -> request(gateway, "/api/fal/proxy")
                .header("Authorization", "Bearer " + key)
                .header("x-fal-target-url", "https://queue.fal.run/fal-ai/ltx23-trainer-v2/requests/" + id.apply(n) + "/status?logs=0")
                .build();
        LongFunction<okhttp3.Request> liveness = n -> request(gateway, "/actuator/health/liveness").build();
        Duration window = Duration.ofSeconds(options.durationSeconds());
        warmUp(gateway, seconds -> HeldRate.run(read, 16, options.heldReadRate(), Duration.ofSeconds(seconds)));
        HeldRate.Result heldRead = HeldRate.run(read, 16, options.heldReadRate(), window);
        HeldRate.Result heldPoll = HeldRate.run(poll, 16, options.heldRate(), window);
        HeldRate.Result heldProbe = HeldRate.run(liveness, 16, options.heldRate(), window);
        long tracked = count(gateway.database(), "select count(*) from tracking_job");
        note("");
        note("## GET /v1/trainings/{id} while %d trainings are tracked (wrk, 16 connections, %d s)", tracked, options.durationSeconds());
        note("");
        note("Reads by id: %s", readsWarmUp.describe());
        note("Status polls: %s", pollsWarmUp.describe());
        note("");
        note("| request | reads/s | p50 | p90 | p99 | max | non-2xx | gateway CPU per read | of it the JIT compiler's |");
        note("|---|---|---|---|---|---|---|---|---|");
        note("%s", wrkRow("GET /v1/trainings/{id}", wrk));
        note("%s", wrkRow("fal status through /api/fal/proxy, right after", proxy));
        note("%s", wrkRow("GET /actuator/health/liveness, right after", probe));
        note("");
        note("The same at held rates over 16 connections, each request timed from when it was due (%d s):", options.durationSeconds());
        note("");
        note("| request | held at /s | answered/s | p50 | p90 | p99 | max | non-2xx or failed |");
        note("|---|---|---|---|---|---|---|---|");
        note("%s", heldRow("GET /v1/trainings/{id}", options.heldReadRate(), heldRead));
        note("%s", heldRow("fal status through /api/fal/proxy", options.heldRate(), heldPoll));
        note("%s", heldRow("GET /actuator/health/liveness", options.heldRate(), heldProbe));
        results.put("get p99 at " + options.heldReadRate() + "/s held", format(heldRead.p99()) + " ms");
        results.put("proxy status p99 at " + options.heldRate() + "/s held", format(heldPoll.p99()) + " ms");
        results.put("liveness p99 at " + options.heldRate() + "/s held", format(heldProbe.p99()) + " ms");
        results.put("get warm-up", readsWarmUp.summary());
        results.put("get cpu ms per read", format(wrk.cpuMsPerRequest()));
        results.put("get jit share of the window's cpu", format(wrk.compilerShare() * 100) + " %");
        results.put("get p99", wrk.p99());
        results.put("get reads/s", format(wrk.requestsPerSecond()));
        results.put("proxy status polls/s", format(proxy.requestsPerSecond()));
        results.put("proxy status p99", proxy.p99());
        results.put("liveness p99 (same load, no work)", probe.p99());
        gateway.stop();
    }

    private static String wrkRow(String request, Wrk wrk) {
        return "| %s | %s | %s | %s | %s | %s | %d | %s ms | %s %% |".formatted(request, format(wrk.requestsPerSecond()), wrk.p50(),
                wrk.p90(), wrk.p99(), wrk.max(), wrk.errors(), format(wrk.cpuMsPerRequest()), format(wrk.compilerShare() * 100));
    }

    private static okhttp3.Request.Builder request(GatewayProcess gateway, String path) {
        return new okhttp3.Request.Builder().url(gateway.url(path).toString());
    }

    /** The rate held, and what was answered: below it when the gateway fell behind. */
    private static String heldRow(String request, int rate, HeldRate.Result held) {
        return "| %s | %,d | %s | %s ms | %s ms | %s ms | %s ms | %d |".formatted(request, rate, format(held.requestsPerSecond()),
                format(held.p50()), format(held.p90()), format(held.p99()), format(held.max()), held.errors());
    }

    private void resetStatements() throws SQLException {
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("select pg_stat_statements_reset()");
        }
    }

    /**
     * The database's side of the window since {@link #resetStatements()}: execution time (waits for locks included) and
     * calls per training of the gateway's statements that took longest; all of them in {@code PHASE-statements.tsv}.
     */
    private void statements(String database, String phase, long trainings) throws Exception {
        List<StatementStats> statements = new ArrayList<>();
        try (Connection c = connect("postgres"); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
                select calls, total_exec_time, rows, regexp_replace(query, '\\s+', ' ', 'g') as query
                from pg_stat_statements where dbid = (select oid from pg_database where datname = '%s') and query not like '%s%%'
                order by total_exec_time desc""".formatted(database, HARNESS))) {
            while (rs.next()) {
                statements.add(new StatementStats(rs.getLong("calls"), rs.getDouble("total_exec_time"), rs.getLong("rows"),
                        rs.getString("query")));
            }
        }
        Files.write(options.out().resolve(phase + "-statements.tsv"), statements.stream()
                .map(st -> "%d\t%.1f\t%d\t%s".formatted(st.calls(), st.ms(), st.rows(), st.query())).toList());
        double total = statements.stream().mapToDouble(StatementStats::ms).sum();
        note("");
        note("The gateway's statements took PostgreSQL %s ms per training to execute, waits for locks included"
                + " (pg_stat_statements; all of them in `%s-statements.tsv`). The ten that took longest:",
                format(trainings == 0 ? 0 : total / trainings), phase);
        note("");
        note("| share | ms per training | calls per training | rows per call | statement |");
        note("|---|---|---|---|---|");
        for (StatementStats st : statements.subList(0, Math.min(10, statements.size()))) {
            String statement = st.query().length() > 110 ? st.query().substring(0, 110) + "…" : st.query();
            note("| %.1f %% | %.3f | %.2f | %.1f | `%s` |", 100 * st.ms() / total, st.ms() / trainings, st.calls() / (double) trainings,
                    st.rows() / (double) st.calls(), statement.replace("|", "\\|"));
        }
    }

    /** One statement's line of pg_stat_statements: {@code ms} is its total execution time. */
    private record StatementStats(long calls, double ms, long rows, String query) {
    }

    private void memory() throws Exception {
        fal.runsAsDefault().queueDuration(Duration.ofHours(2)).runDuration(Duration.ofSeconds(3));
        GatewayProcess gateway = start("memory", database("memory"), Map.of(), "512m");
        String key = teamKey(gateway);
        Instant began = Instant.now();
        createMany(gateway, key, options.inFlight());
        note("");
        note("## %d trainings in flight, -Xmx512m", options.inFlight());
        note("");
        note("Created in %d s. Then sampled every 10 s for %d s: jobs due but not claimed, the most overdue, the gateway's RSS.",
                Duration.between(began, Instant.now()).toSeconds(), options.sampleForSeconds());
        note("");
        note("| s | tracked | due, unclaimed | most overdue | RSS |");
        note("|---|---|---|---|---|");
        double worst = 0;
        // Submits held back while the creates were served are worked off first; from the first sample less than a
        // second late on, the instance is following its polls, and how late it is from then on is the steady figure.
        Integer caughtUpAt = null;
        double worstOnceCaughtUp = 0;
        long maxRss = 0;
        for (int t = 0; t <= options.sampleForSeconds(); t += 10) {
            List<String> row = query(gateway.database(), """
                    select (select count(*) from tracking_job),
                           count(*) filter (where due_at < now() and lease_until is null),
                           coalesce(extract(epoch from max(now() - due_at) filter (where due_at < now() and lease_until is null)), 0)
                    from tracking_job""");
            long rss = gateway.rssKilobytes();
            maxRss = Math.max(maxRss, rss);
            double overdue = Double.parseDouble(row.get(2));
            worst = Math.max(worst, overdue);
            if (caughtUpAt == null && overdue < 1) {
                caughtUpAt = t;
            }
            if (caughtUpAt != null) {
                worstOnceCaughtUp = Math.max(worstOnceCaughtUp, overdue);
            }
            note("| %d | %s | %s | %s s | %d MB |", t, row.get(0), row.get(1), format(Double.parseDouble(row.get(2))), rss / 1024);
            Thread.sleep(10_000);
        }
        results.put("memory most overdue", format(worst) + " s");
        results.put("memory caught up after", caughtUpAt == null ? "not within the samples" : caughtUpAt + " s");
        results.put("memory most overdue once caught up", caughtUpAt == null ? "n/a" : format(worstOnceCaughtUp) + " s");
        results.put("memory max RSS", maxRss / 1024 + " MB");
        results.put("memory heap errors", gateway.logContains("OutOfMemoryError") ? "OutOfMemoryError" : "none");
        gateway.stop();
    }

    private void summary() {
        note("");
        note("## Summary");
        note("");
        note("| figure | value |");
        note("|---|---|");
        results.forEach((name, value) -> note("| %s | %s |", name, value));
        ratios("tracker on / tracker off creates/s", "tracker-on", "creates/s", "tracker-off", "creates/s");
        ratios("tracker on, copies refused / tracker off creates/s", "tracker-on-uncopied", "creates/s", "tracker-off", "creates/s");
        ratios("tracker on, copies / copies refused creates/s", "tracker-on", "creates/s", "tracker-on-uncopied", "creates/s");
        ratios("tracker off creates/s / PostgreSQL floor tps", "tracker-off", "creates/s", "floor", "tps");
        ratios("tracker off, team on a budget / tracker off creates/s", "tracker-off-budgeted", "creates/s", "tracker-off", "creates/s");
    }

    /** The ratio of two figures in each round that measured both, and with more than one round their median. */
    private void ratios(String name, String numerator, String numeratorFigure, String denominator, String denominatorFigure) {
        List<Double> values = new ArrayList<>();
        for (int r = 1; r <= options.rounds(); r++) {
            String top = results.get(numerator + roundSuffix(r) + " " + numeratorFigure);
            String bottom = results.get(denominator + roundSuffix(r) + " " + denominatorFigure);
            if (top != null && bottom != null) {
                double value = Double.parseDouble(top.replace(",", "")) / Double.parseDouble(bottom.replace(",", ""));
                values.add(value);
                note("| **%s%s** | **%s %%** |", name, options.rounds() == 1 ? "" : ", round " + r, format(value * 100));
            }
        }
        if (values.size() > 1) {
            List<Double> sorted = values.stream().sorted().toList();
            int middle = sorted.size() / 2;
            double median = sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
            note("| **%s, median of %d rounds** | **%s %%** |", name, values.size(), format(median * 100));
        }
    }

    private static String roundSuffix(int round) {
        return round == 1 ? "" : "-" + round;
    }

    private String roundTitle() {
        return round.isEmpty() ? "" : ", round " + round.substring(1);
    }

    // --- the parts -------------------------------------------------------------------------------------------------

    private GatewayProcess start(String name, String database, Map<String, String> settings, String heap) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SPRING_DATASOURCE_URL", jdbcUrl(database));
        env.put("SPRING_DATASOURCE_USERNAME", "postgres");
        env.put("SPRING_DATASOURCE_PASSWORD", "postgres");
        env.put("GATEWAY_BOOTSTRAP_ADMIN_KEY", ADMIN_KEY);
        env.put("FAL_KEY", FAL_KEY);
        env.put("GATEWAY_FAL_QUEUE_URL", fal.queueUrl().toString());
        env.put("GATEWAY_FAL_USER_ID", FakeFalWebhooks.USER_ID);
        env.put("GATEWAY_FAL_JWKS_URL", webhooks.jwksUrl().toString());
        env.put("GATEWAY_TRACKER_WEBHOOKS_EXPECTED", "true");
        // Succeeded trainings' output files are copied, as in production: from the stand-in, into a store of the run's own.
        env.put("GATEWAY_ARTIFACTS_DIR", artifacts(name).toAbsolutePath().toString());
        env.put("GATEWAY_ARTIFACTS_SOURCE_HOSTS", "127.0.0.1");
        env.put("GATEWAY_WEBHOOKS_ALLOWED_HOSTS", "127.0.0.1");
        env.put("SPRING_MAIN_BANNER_MODE", "off");
        env.put("LOGGING_LEVEL_ROOT", "WARN");
        env.putAll(settings);
        List<String> jvm = new ArrayList<>(List.of("-Xmx" + heap));
        jvm.addAll(options.jvmOptions());
        if (options.profile()) {
            // Deep stacks, so a sample still shows which request or loop it belongs to (the default keeps 64 frames).
            jvm.add("-XX:FlightRecorderOptions:stackdepth=256");
        }
        GatewayProcess gateway = GatewayProcess.start(name, options.jar(), jvm, env, database, options.out());
        current = gateway;
        gateway.awaitReady(http);
        return gateway;
    }

    private String teamKey(GatewayProcess gateway) throws IOException, InterruptedException {
        send(gateway, "POST", "/v1/admin/teams", ADMIN_KEY, "{\"slug\":\"load\",\"name\":\"Load\"}");
        return JSON.readTree(send(gateway, "POST", "/v1/admin/teams/load/api-keys", ADMIN_KEY,
                "{\"name\":\"load\",\"mode\":\"live\"}").body()).get("key").asString();
    }

    private List<String> createMany(GatewayProcess gateway, String key, int count) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(16);
        try {
            List<Future<String>> ids = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String body = "{\"input\":{\"training_data_url\":\"https://example.com/load/" + i + ".zip\",\"number_of_steps\":1000}}";
                ids.add(clients.submit(() -> JSON.readTree(send(gateway, "POST", "/v1/trainings", key, body).body()).get("id").asString()));
            }
            List<String> created = new ArrayList<>();
            for (Future<String> id : ids) {
                created.add(id.get(5, TimeUnit.MINUTES));
            }
            return created;
        }
        finally {
            clients.shutdownNow();
        }
    }

    /** fal calls the gateway's meters counted with outcome {@code unavailable}: no answer, or one it retries. */
    private long falCallsUnanswered(GatewayProcess gateway) throws IOException, InterruptedException {
        String metrics = http.send(HttpRequest.newBuilder(gateway.url("/actuator/prometheus")).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return metrics.lines()
                .filter(line -> line.startsWith("gateway_fal_calls_seconds_count{") && line.contains("outcome=\"unavailable\""))
                .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    private HttpResponse<String> send(GatewayProcess gateway, String method, String path, String key, String body)
            throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(gateway.url(path))
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response;
    }

    /**
     * @param cpuMsPerRequest the gateway process's CPU time over the window divided by the requests answered: what a
     * request costs, trackers and all, which moves less with the machine's other load than the rates do
     * @param compilerShare the JIT compiler's part of that CPU, 0 to 1: near 0 once the warm-up has settled
     */
    record Wrk(double requestsPerSecond, String p50, String p90, String p99, String max, long errors, double cpuMsPerRequest,
            double compilerShare) {
    }

    /** One step of a warm-up: {@code seconds} of the window's own load. */
    @FunctionalInterface
    private interface LoadStep {
        void run(int seconds) throws Exception;
    }

    /** What a warm-up waits for after each step. */
    @FunctionalInterface
    private interface Settle {
        void run() throws Exception;
    }

    /**
     * @param compilerShares the JIT compiler's part of the gateway's CPU in each step, 0 to 1
     * @param settled whether the warm-up ended because that share fell below {@link #COMPILER_SETTLED}
     */
    private record WarmUp(Duration loaded, Duration took, List<Double> compilerShares, boolean settled, boolean fixed) {

        String describe() {
            String shares = compilerShares.stream().map(share -> format(share * 100)).collect(Collectors.joining(", ")) + " %";
            String settling = took.minus(loaded).toSeconds() < 1 ? "" : " (%d s with what it left behind)".formatted(took.toSeconds());
            return fixed ? "Warmed up for %d s%s (a fixed warm-up); the JIT compiler took %s of the gateway's CPU in it.".formatted(
                    loaded.toSeconds(), settling, shares)
                    : "Warmed up for %d s of load%s%s; the JIT compiler's share of the gateway's CPU in each %d s step: %s.".formatted(
                            loaded.toSeconds(), settling, settled ? "" : " without the JIT compiler settling", WARM_UP_STEP_SECONDS, shares);
        }

        String summary() {
            return "%d s%s, JIT %s %% in its last step".formatted(loaded.toSeconds(), fixed ? " (fixed)" : settled ? "" : " (not settled)",
                    format(compilerShares.getLast() * 100));
        }
    }

    /**
     * Warms the gateway up with a window's own load before the window is measured. A JVM that has served for seconds is
     * still compiling: on these machines the JIT compiler's threads took a third of the gateway's CPU for the first 40 s
     * of creates, and a window measured meanwhile charges that to the requests. With {@code --warm-up settled} (the
     * default) the load runs in steps of {@link #WARM_UP_STEP_SECONDS} until the compiler's share of a step's CPU is below
     * {@link #COMPILER_SETTLED}, for at most {@link #WARM_UP_LIMIT}; with a number, for that many seconds (the runs
     * before 2026-12-07 warmed up for 10).
     */
    private WarmUp warmUp(GatewayProcess gateway, LoadStep step) throws Exception {
        return warmUp(gateway, step, () -> {
        });
    }

    /**
     * {@link #warmUp(GatewayProcess, LoadStep)} for a load that leaves work behind it: after each step {@code settle}
     * waits for that work to be done (the tracker ending the step's trainings), so that a step is measured on its own,
     * as the window will be. Only the load's own time counts against {@link #WARM_UP_LIMIT}, and the compiler's share
     * is that of the load's CPU, the part a window measures; {@link #WARM_UP_WALL_LIMIT} ends a warm-up whose settling
     * takes long.
     */
    private WarmUp warmUp(GatewayProcess gateway, LoadStep step, Settle settle) throws Exception {
        long began = System.nanoTime();
        boolean fixed = !options.warmUp().equals("settled");
        int seconds = fixed ? Integer.parseInt(options.warmUp()) : WARM_UP_STEP_SECONDS;
        List<Double> shares = new ArrayList<>();
        while (true) {
            GatewayProcess.Cpu before = gateway.cpu();
            step.run(seconds);
            shares.add(gateway.cpu().since(before).compilerShare());
            settle.run();
            Duration loaded = Duration.ofSeconds((long) seconds * shares.size());
            boolean settled = shares.getLast() < COMPILER_SETTLED;
            boolean over = loaded.compareTo(WARM_UP_LIMIT) >= 0 || System.nanoTime() - began >= WARM_UP_WALL_LIMIT.toNanos();
            if (fixed || settled || over) {
                return new WarmUp(loaded, Duration.ofNanos(System.nanoTime() - began), shares, settled, fixed);
            }
        }
    }

    /** {@code script} null: a plain GET of {@code path}. The output is kept as {@code PHASE-LABEL-wrk.txt}. */
    private Wrk wrk(GatewayProcess gateway, String label, String path, String key, int connections, String script,
            List<String> scriptArgs, int seconds) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("wrk", "-t1", "-c" + connections, "-d" + seconds + "s",
                "--latency", "-H", "Authorization: Bearer " + key, gateway.url(path).toString()));
        if (script != null) {
            command.addAll(2, List.of("-s", script));
        }
        if (!scriptArgs.isEmpty()) {
            command.add("--");
            command.addAll(scriptArgs);
        }
        GatewayProcess.Cpu cpuBefore = gateway.cpu();
        String out = exec(command);
        GatewayProcess.Use used = gateway.cpu().since(cpuBefore);
        Files.writeString(options.out().resolve(gateway.name() + "-" + label + "-wrk.txt"), out);
        double requests = number(out, "([0-9]+) requests in");
        return new Wrk(number(out, "Requests/sec:\\s+([0-9.]+)"), text(out, "\\s50%\\s+(\\S+)"), text(out, "\\s90%\\s+(\\S+)"),
                text(out, "\\s99%\\s+(\\S+)"), text(out, "Latency\\s+\\S+\\s+\\S+\\s+(\\S+)"),
                (long) number(out, "Non-2xx or 3xx responses:\\s+([0-9]+)") + (long) number(out, "Socket errors:.*?timeout ([0-9]+)"),
                requests == 0 ? 0 : used.ticks() * 1000.0 / CLOCK_TICKS_PER_SECOND / requests, used.compilerShare());
    }

    private void startProfile(GatewayProcess gateway) throws IOException, InterruptedException {
        if (options.profile()) {
            gateway.startProfile();
        }
    }

    private void stopProfile(GatewayProcess gateway) throws IOException, InterruptedException {
        stopProfile(gateway, gateway.name());
    }

    private void stopProfile(GatewayProcess gateway, String window) throws IOException, InterruptedException {
        if (options.profile()) {
            gateway.stopProfile(options.out().resolve(window + ".jfr"));
        }
    }

    private Map<String, Integer> falCalls() {
        Map<String, Integer> calls = new HashMap<>();
        for (String operation : List.of(FakeFalServer.SUBMIT, FakeFalServer.STATUS, FakeFalServer.RESULT, FakeFalServer.CANCEL)) {
            calls.put(operation, fal.callCount(operation));
        }
        calls.put("webhooks", (int) fal.webhookDeliveries().stream().filter(FakeFalServer.WebhookDelivery::delivered).count());
        return calls;
    }

    /** Calls of one operation (all of fal's queue calls when null) per completed training. */
    private static String perTraining(Map<String, Integer> after, Map<String, Integer> before, String operation, long trainings) {
        List<String> operations = operation != null ? List.of(operation)
                : List.of(FakeFalServer.SUBMIT, FakeFalServer.STATUS, FakeFalServer.RESULT, FakeFalServer.CANCEL);
        long calls = operations.stream().mapToLong(op -> after.get(op) - before.get(op)).sum();
        return trainings == 0 ? "-" : BigDecimal.valueOf(calls).divide(BigDecimal.valueOf(trainings), 2, RoundingMode.HALF_UP).toPlainString();
    }

    /** Every training ended and every succeeded one's output files copied; returns how many succeeded. */
    private long awaitAllEnded(String database, Duration limit) throws Exception {
        long until = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < until) {
            if (open(database) == 0) {
                return succeeded(database);
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("trainings still open after " + limit);
    }

    /** Trainings not ended yet, and output files not copied yet. */
    private long open(String database) throws SQLException {
        return count(database, "select count(*) from training where status not in ('succeeded', 'failed', 'canceled')")
                + count(database, "select count(*) from output_copy where state = 'pending'");
    }

    private long succeeded(String database) throws SQLException {
        return count(database, "select count(*) from training where status = 'succeeded'");
    }

    /**
     * {@link #awaitAllEnded} for a window's trainings, with a timeline of how the tracker caught up on them, every
     * {@link #TIMELINE_STEP}, in {@code NAME-catch-up.tsv}: what was still open, what it submitted to fal, how fal's
     * deliveries fared, the gateway's CPU. It shows when deliveries went unanswered, and what the instance did then.
     */
    private long catchUp(GatewayProcess gateway, String name, Instant began, Duration limit) throws Exception {
        Path timeline = options.out().resolve(name + "-catch-up.tsv");
        Files.writeString(timeline, "seconds\topen\tsubmitted\tdelivered\trefused 503\tnot answered in time\tnot connected"
                + "\tother delivery failures\tgateway CPU (cores)\tof it JIT\tstand-in CPU (cores)\n");
        long until = System.nanoTime() + limit.toNanos();
        int seenDeliveries = fal.webhookDeliveries().size();
        int submits = fal.callCount(FakeFalServer.SUBMIT);
        GatewayProcess.Cpu cpu = gateway.cpu();
        long standInCpu = standInCpuNanos();
        long stepStarted = System.nanoTime();
        int silentSteps = 0;
        boolean dumped = false;
        while (System.nanoTime() < until) {
            long open = open(gateway.database());
            List<FakeFalServer.WebhookDelivery> deliveries = fal.webhookDeliveries();
            Map<String, Long> outcomes = deliveries.subList(seenDeliveries, deliveries.size()).stream()
                    .collect(Collectors.groupingBy(LoadRun::outcome, Collectors.counting()));
            GatewayProcess.Cpu now = gateway.cpu();
            GatewayProcess.Use used = now.since(cpu);
            double seconds = (System.nanoTime() - stepStarted) / 1e9;
            double cores = used.ticks() / (double) CLOCK_TICKS_PER_SECOND / seconds;
            long standInCpuNow = standInCpuNanos();
            Files.writeString(timeline, "%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s %%\t%s\n".formatted(Duration.between(began, Instant.now()).toSeconds(),
                    open, fal.callCount(FakeFalServer.SUBMIT) - submits, outcomes.getOrDefault("delivered", 0L),
                    outcomes.getOrDefault("503", 0L), outcomes.getOrDefault("timeout", 0L), outcomes.getOrDefault("connect", 0L),
                    outcomes.getOrDefault("other", 0L), format(cores), format(used.compilerShare() * 100),
                    format((standInCpuNow - standInCpu) / 1e9 / seconds)), StandardOpenOption.APPEND);
            if (open == 0) {
                return succeeded(gateway.database());
            }
            // Every delivery attempt ends within the stand-in's timeouts: none for a while, with trainings submitted
            // long enough ago to have ended, means the stand-in itself is stuck. Its threads say where, once per window.
            silentSteps = deliveries.size() == seenDeliveries && fal.callCount(FakeFalServer.SUBMIT) > submits ? silentSteps + 1 : 0;
            if (silentSteps == STAND_IN_STUCK_STEPS && !dumped) {
                dumped = true;
                Path dump = options.out().resolve(name + "-stand-in-threads.json");
                exec(List.of(Path.of(ProcessHandle.current().info().command().orElse("java")).resolveSibling("jcmd").toString(),
                        Long.toString(ProcessHandle.current().pid()), "Thread.dump_to_file", "-format=json", dump.toAbsolutePath().toString()));
                standInStuck = "The stand-in completed no webhook delivery attempt for %d s while it took submits: its threads are in `%s`."
                        .formatted(STAND_IN_STUCK_STEPS * TIMELINE_STEP.toSeconds(), dump.getFileName());
            }
            seenDeliveries = deliveries.size();
            submits = fal.callCount(FakeFalServer.SUBMIT);
            cpu = now;
            standInCpu = standInCpuNow;
            stepStarted = System.nanoTime();
            Thread.sleep(TIMELINE_STEP.toMillis());
        }
        throw new IllegalStateException("trainings still open after " + limit);
    }

    /** CPU time of this JVM, which is the fal stand-in's while a window catches up (the run itself only waits then). */
    private static long standInCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** A delivery attempt as the report and the timeline count it: delivered, 503, timeout, connect or other. */
    private static String outcome(FakeFalServer.WebhookDelivery delivery) {
        if (delivery.delivered()) {
            return "delivered";
        }
        if (delivery.status() != null) {
            return delivery.status() == 503 ? "503" : "other";
        }
        String error = String.valueOf(delivery.error());
        return error.startsWith(HttpConnectTimeoutException.class.getName()) || error.startsWith(ConnectException.class.getName()) ? "connect"
                : error.startsWith(HttpTimeoutException.class.getName()) ? "timeout" : "other";
    }

    private void awaitSubmitted(String database, int trainings, Duration limit) throws Exception {
        long until = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < until && count(database, "select count(*) from training where status = 'queued'") < trainings) {
            Thread.sleep(250);
        }
    }

    private String database(String name) throws SQLException {
        drop(name);
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("create database " + name);
        }
        return name;
    }

    /** Where the instance of a phase stores the output files it copies. */
    private Path artifacts(String phase) {
        return options.out().resolve("artifacts-" + phase);
    }

    private void drop(String database) throws SQLException {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("drop database if exists " + database + " with (force)");
        }
    }

    private String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + database;
    }

    private Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), "postgres", "postgres");
    }

    private long count(String database, String sql) throws SQLException {
        return Long.parseLong(query(database, sql).getFirst());
    }

    private List<String> query(String database, String sql) throws SQLException {
        try (Connection c = connect(database); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(HARNESS + sql)) {
            rs.next();
            List<String> row = new ArrayList<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                row.add(rs.getString(i));
            }
            return row;
        }
    }

    private String serverVersion() throws SQLException {
        return query("postgres", "show server_version").getFirst();
    }

    private String exec(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command.subList(0, 1)) + " failed:\n" + out);
        }
        return out;
    }

    private static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static String text(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? m.group(1) : "?";
    }

    private static String format(double value) {
        return value >= 100 ? String.format("%,.0f", value) : String.format("%.2f", value);
    }

    private void note(String format, Object... args) {
        String line = String.format(format, args);
        report.add(line);
        System.out.println(line);
    }

    private void shutDown() throws IOException {
        if (current != null) {
            current.stop();
        }
        if (fal != null) {
            fal.close();
        }
        if (webhooks != null) {
            webhooks.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }
}
