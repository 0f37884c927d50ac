package com.ltxgateway.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.stream.Collectors;

import com.ltxgateway.fal.FakeFalServer;
import com.ltxgateway.fal.FakeFalWebhooks;
import com.ltxgateway.support.CommandLineOptions;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The chaos run behind {@code bench/chaos.sh}: several gateway processes (the application jar, as deployed) on one
 * PostgreSQL, against a fal stand-in that faults submits and status calls at random and drops the answer of some
 * submits it took. While trainings are being created, one instance is killed with SIGKILL and replaced, one is stopped
 * with SIGTERM and replaced, and PostgreSQL is restarted; output files come slowly and some are cut short, and once
 * the trainings are created an instance is killed while copies are in flight. Then it waits until every training has
 * ended and its outputs are settled, and checks fal's side: each training's input reached fal exactly once, nothing
 * was billed twice, no request is left that no training owns; and the gateway's: every output file of every succeeded
 * training is stored once, whole, with fal's bytes. Exits 1 when any of that fails. Not a test: it takes minutes and
 * is run by hand.
 *
 * <pre>
 * java -cp ... com.ltxgateway.chaos.ChaosRun --jar target/app.jar [--trainings 180] [--instances 3] [--webhooks on|off]
 *      [--seed 42] [--out target/chaos]
 * </pre>
 */
public final class ChaosRun {

    private static final JsonMapper JSON = JsonMapper.shared();
    private static final String FAL_KEY = "fal-chaos-key-0123456789";
    private static final String ADMIN_KEY = "ltx_admin_chaos_0123456789abcdefghijklmnopqrstuvwxyz";
    private static final Duration DRAIN_LIMIT = Duration.ofMinutes(15);
    private static final int CLIENTS = 6;
    /** How long an admin waits, with nothing running at fal, before looking into what is still unconfirmed. */
    private static final Duration ADMIN_PATIENCE = Duration.ofSeconds(30);

    private final Options options;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Instance> instances = new CopyOnWriteArrayList<>();
    private final List<String> timeline = new CopyOnWriteArrayList<>();
    private final Instant began = Instant.now();
    private final AtomicInteger created = new AtomicInteger();
    private final AtomicInteger createRetries = new AtomicInteger();
    private final AtomicInteger adminResubmits = new AtomicInteger();
    private final AtomicInteger filesCut = new AtomicInteger();
    private EmbeddedPostgres postgres;
    /** The postmaster after a restart, started by this run rather than by the embedded server. */
    private Process restarted;
    private Path pgData;
    private String jdbcUrl;
    private FakeFalServer fal;
    private FakeFalWebhooks webhooks;
    private int instanceCount;

    private ChaosRun(Options options) {
        this.options = options;
    }

    record Options(Path jar, int trainings, int instances, boolean webhooks, long seed, Path out) {

        static Options parse(String[] args) {
            CommandLineOptions given = CommandLineOptions.parse(args, "jar");
            return new Options(Path.of(given.get("jar")), given.integer("trainings", 180), given.integer("instances", 3),
                    !"off".equals(given.get("webhooks", "on")), Long.parseLong(given.get("seed", "42")),
                    Path.of(given.get("out", "target/chaos")));
        }
    }

    /** One gateway process. */
    private final class Instance {

        final String name;
        final int port;
        final Process process;
        volatile boolean ready;

        Instance(String name) throws IOException {
            this.name = name;
            this.port = freePort();
            ProcessBuilder builder = new ProcessBuilder(javaCommand(), "-Xmx384m", "-jar", options.jar().toString());
            builder.environment().putAll(environment(port));
            builder.redirectErrorStream(true);
            builder.redirectOutput(ProcessBuilder.Redirect.appendTo(options.out().resolve(name + ".log").toFile()));
            this.process = builder.start();
        }

        URI url(String path) {
            return URI.create("http://127.0.0.1:" + port + path);
        }

        boolean alive() {
            return process.isAlive();
        }

        /** Serving, and so a fair victim: a replacement still starting is left alone. */
        boolean serving() {
            return ready && process.isAlive();
        }

        void awaitReady() {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < until) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(name + " exited while starting; see " + options.out().resolve(name + ".log"));
                }
                try {
                    if (http.send(HttpRequest.newBuilder(url("/actuator/health/readiness")).timeout(Duration.ofSeconds(2)).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        ready = true;
                        return;
                    }
                }
                catch (IOException e) {
                    // not listening yet
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
                sleep(Duration.ofMillis(250));
            }
            throw new IllegalStateException(name + " did not become ready");
        }
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        Files.createDirectories(options.out());
        ChaosRun run = new ChaosRun(options);
        boolean held;
        try {
            held = run.run();
        }
        finally {
            run.shutDown();
        }
        System.exit(held ? 0 : 1);
    }

    private boolean run() throws Exception {
        startPostgres();
        startFal();
        for (int i = 0; i < options.instances(); i++) {
            startInstance();
        }
        instances.forEach(Instance::awaitReady);
        note("%d instances ready on one PostgreSQL", instances.size());
        String key = teamKey();

        int third = options.trainings() / 3;
        Map<Integer, Runnable> faults = Map.of(
                third, this::killOne,
                2 * third, this::restartPostgres,
                options.trainings() - 10, this::stopOneGracefully);
        Map<String, String> trainings = createAll(key, created -> {
            Runnable fault = faults.get(created);
            if (fault != null) {
                Thread.ofPlatform().start(fault);
            }
        });
        Instant allCreated = Instant.now();
        note("all %d trainings created (%d create calls retried)", trainings.size(), createRetries.get());

        killOneWhileCopying();
        Map<String, Long> finalCounts = drain(trainings.keySet());
        Duration drained = Duration.between(allCreated, Instant.now());
        note("drained %s after the last create", drained);
        awaitCosts();
        awaitCopiesSettled();
        return report(trainings, finalCounts, drained);
    }

    // --- the parts -----------------------------------------------------------------------------------------------

    private void startPostgres() throws IOException {
        pgData = options.out().resolve("pgdata");
        deleteTree(pgData);
        postgres = EmbeddedPostgres.builder()
                .setDataDirectory(pgData)
                .setCleanDataDirectory(false)
                .setServerConfig("max_connections", "300")
                .start();
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("create database chaos");
        }
        catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        jdbcUrl = "jdbc:postgresql://localhost:" + postgres.getPort() + "/chaos";
        note("PostgreSQL on port %d", postgres.getPort());
    }

    private void startFal() {
        fal = FakeFalServer.start(FAL_KEY);
        fal.queueDuration(Duration.ofSeconds(1)).runDuration(Duration.ofSeconds(3));
        fal.chaos(new FakeFalServer.Chaos(options.seed(), 0.15, 0.15, 0.30, 0.10));
        webhooks = FakeFalWebhooks.start();
        if (options.webhooks()) {
            AtomicInteger turn = new AtomicInteger();
            // Like a load balancer in front of the replicas: fal's webhook reaches whichever instance is alive.
            fal.sendWebhooks(webhooks).webhookTarget(url -> {
                List<Instance> alive = instances.stream().filter(Instance::alive).toList();
                Instance to = alive.isEmpty() ? instances.getFirst() : alive.get(Math.floorMod(turn.getAndIncrement(), alive.size()));
                return to.url(url.getRawPath());
            });
        }
        // Output files at 64 KiB/s, so a LoRA takes four seconds to copy, and one download in ten cut short.
        fal.fileBytesPerSecond(64 * 1024);
        Random cuts = new Random(options.seed());
        fal.failFiles(path -> {
            boolean cut = cuts.nextDouble() < 0.10;
            if (cut) {
                filesCut.incrementAndGet();
            }
            return cut;
        }, 200);
        note("fake fal: 15%% of submits 503, 15%% 429, 10%% taken with the answer dropped, 30%% of status calls 500; "
                + "output files at 64 KiB/s, 10%% of downloads cut short; webhooks %s", options.webhooks() ? "on" : "off");
    }

    private Instance startInstance() throws IOException {
        Instance instance = new Instance("gateway-" + (++instanceCount));
        instances.add(instance);
        return instance;
    }

    private Map<String, String> environment(int port) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SERVER_PORT", Integer.toString(port));
        env.put("SPRING_DATASOURCE_URL", jdbcUrl);
        env.put("SPRING_DATASOURCE_USERNAME", "postgres");
        env.put("SPRING_DATASOURCE_PASSWORD", "postgres");
        env.put("GATEWAY_BOOTSTRAP_ADMIN_KEY", ADMIN_KEY);
        env.put("FAL_KEY", FAL_KEY);
        env.put("GATEWAY_FAL_QUEUE_URL", fal.queueUrl().toString());
        env.put("GATEWAY_FAL_API_URL", fal.platformUrl().toString());
        env.put("GATEWAY_FAL_ADMIN_KEY", fal.adminKey());
        env.put("GATEWAY_FAL_USER_ID", FakeFalWebhooks.USER_ID);
        env.put("GATEWAY_FAL_JWKS_URL", webhooks.jwksUrl().toString());
        env.put("GATEWAY_PUBLIC_URL", "http://127.0.0.1:" + port);
        env.put("GATEWAY_TRACKER_WEBHOOKS_EXPECTED", Boolean.toString(options.webhooks()));
        env.put("GATEWAY_FAL_CONNECT_TIMEOUT", "1s");
        env.put("GATEWAY_FAL_READ_TIMEOUT", "5s");
        env.put("GATEWAY_TRACKER_IDLE_INTERVAL", "200ms");
        env.put("GATEWAY_TRACKER_POLL_MIN_INTERVAL", "500ms");
        env.put("GATEWAY_TRACKER_POLL_MAX_INTERVAL", "3s");
        env.put("GATEWAY_TRACKER_POLL_BACKSTOP_INTERVAL", "5s");
        env.put("GATEWAY_TRACKER_RETRY_INITIAL_INTERVAL", "200ms");
        env.put("GATEWAY_TRACKER_RETRY_MAX_INTERVAL", "2s");
        env.put("GATEWAY_TRACKER_LEASE", "10s");
        env.put("GATEWAY_RECONCILIATION_INTERVAL", "3s");
        env.put("GATEWAY_RECONCILIATION_ORPHAN_GRACE", "20s");
        env.put("GATEWAY_RECONCILIATION_OVERLAP", "2m");
        // One directory for every instance, as replicas share a volume (or use S3); files only from the fake fal.
        env.put("GATEWAY_ARTIFACTS_DIR", options.out().resolve("artifacts").toAbsolutePath().toString());
        env.put("GATEWAY_ARTIFACTS_SOURCE_HOSTS", "127.0.0.1");
        env.put("GATEWAY_WEBHOOKS_ALLOWED_HOSTS", "127.0.0.1");
        env.put("GATEWAY_ARTIFACTS_RETRY_INITIAL_INTERVAL", "500ms");
        env.put("GATEWAY_ARTIFACTS_RETRY_MAX_INTERVAL", "3s");
        env.put("SPRING_MAIN_BANNER_MODE", "off");
        return env;
    }

    private String teamKey() throws IOException, InterruptedException {
        Instance any = instances.getFirst();
        send(any, "POST", "/v1/admin/teams", ADMIN_KEY, "{\"slug\":\"chaos\",\"name\":\"Chaos\"}", Map.of());
        JsonNode key = JSON.readTree(send(any, "POST", "/v1/admin/teams/chaos/api-keys", ADMIN_KEY,
                "{\"name\":\"chaos\",\"mode\":\"live\"}", Map.of()).body());
        return key.get("key").asString();
    }

    /**
     * Creates the trainings from a few clients, each at a live instance chosen at random, retrying a create whose
     * answer did not come (the instance died, the database restarted) under the same Idempotency-Key, as a careful
     * client does. Returns training id to training data URL.
     */
    private Map<String, String> createAll(String key, IntConsumer afterEach) throws Exception {
        Map<String, String> trainings = new ConcurrentHashMap<>();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<?>> pending = new ArrayList<>();
            for (int i = 0; i < options.trainings(); i++) {
                int index = i;
                pending.add(clients.submit(() -> {
                    String url = "https://data.example.com/chaos/" + options.seed() + "/" + index + ".zip";
                    String body = "{\"input\":{\"training_data_url\":\"" + url + "\",\"number_of_steps\":" + (100 + index) + "}}";
                    trainings.put(create(key, body, "chaos-" + index), url);
                    afterEach.accept(created.incrementAndGet());
                    return null;
                }));
            }
            for (Future<?> future : pending) {
                future.get(5, TimeUnit.MINUTES);
            }
        }
        finally {
            clients.shutdownNow();
        }
        return trainings;
    }

    private String create(String key, String body, String idempotencyKey) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < until) {
            List<Instance> alive = instances.stream().filter(Instance::alive).toList();
            Instance to = alive.get(ThreadLocalRandom.current().nextInt(alive.size()));
            try {
                HttpResponse<String> response = send(to, "POST", "/v1/trainings", key, body, Map.of("Idempotency-Key", idempotencyKey));
                if (response.statusCode() == 202) {
                    return JSON.readTree(response.body()).get("id").asString();
                }
            }
            catch (IOException e) {
                // the instance went away or the database restarted: the same key again, elsewhere
            }
            createRetries.incrementAndGet();
            sleep(Duration.ofMillis(300));
        }
        throw new IllegalStateException("a create did not get through in 3 minutes");
    }

    private void killOne() {
        Instance victim = instances.stream().filter(Instance::serving).findFirst().orElseThrow();
        victim.process.destroyForcibly();
        note("SIGKILL %s (%d trainings created so far)", victim.name, created.get());
        sleep(Duration.ofSeconds(3));
        replace(victim);
    }

    /**
     * SIGKILL to an instance while copies are being downloaded (their leases held), once the trainings are created:
     * its copies wait for their leases to run out and are taken over by the others, from the start.
     */
    private void killOneWhileCopying() throws SQLException {
        long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < until) {
            // Once the earlier faults' replacements serve, so this kill is the one fault of its moment.
            List<Instance> serving = instances.stream().filter(Instance::serving).toList();
            long inFlight = serving.size() == options.instances() ? inFlightCopies() : 0;
            if (inFlight >= serving.size()) {
                Instance victim = serving.get(ThreadLocalRandom.current().nextInt(serving.size()));
                victim.process.destroyForcibly();
                note("SIGKILL %s while %d output copies were in flight across the instances", victim.name, inFlight);
                sleep(Duration.ofSeconds(3));
                replace(victim);
                return;
            }
            sleep(Duration.ofMillis(200));
        }
        note("no output copies in flight within 5 minutes: no kill mid-copy");
    }

    private long inFlightCopies() throws SQLException {
        return query("select count(*) from output_copy where state = 'pending' and lease_until > now()", rs -> rs.getLong(1)).getFirst();
    }

    /** Copies retry until stored; a killed instance's wait for their leases (a minute) to run out. */
    private void awaitCopiesSettled() throws SQLException {
        long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < until
                && query("select count(*) from output_copy where state = 'pending'", rs -> rs.getLong(1)).getFirst() > 0) {
            sleep(Duration.ofSeconds(2));
        }
        note("output copies settled");
    }

    private void stopOneGracefully() {
        Instance victim = instances.stream().filter(Instance::serving).reduce((a, b) -> b).orElseThrow();
        Instant asked = Instant.now();
        victim.process.destroy();
        try {
            boolean exited = victim.process.waitFor(3, TimeUnit.MINUTES);
            note("SIGTERM %s: %s after %s (%d trainings created so far)", victim.name, exited ? "exited" : "still running",
                    Duration.between(asked, Instant.now()), created.get());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        replace(victim);
    }

    private void replace(Instance gone) {
        try {
            Instance successor = startInstance();
            successor.awaitReady();
            note("%s replaced by %s", gone.name, successor.name);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A fast shutdown (SIGINT to the postmaster: every connection dropped, transactions under way rolled back), then
     * the same server started again on the same data, with the command line it wrote to postmaster.opts, in a user
     * namespace of its own as the embedded server starts it (PostgreSQL refuses to run as root, which these machines are).
     */
    private void restartPostgres() {
        Instant began = Instant.now();
        try {
            long pid = Long.parseLong(Files.readAllLines(pgData.resolve("postmaster.pid")).getFirst().strip());
            new ProcessBuilder("kill", "-INT", Long.toString(pid)).start().waitFor();
            ProcessHandle.of(pid).ifPresent(postmaster -> postmaster.onExit().orTimeout(60, TimeUnit.SECONDS).join());
            List<String> command = new ArrayList<>(List.of("unshare", "-U"));
            command.addAll(postmasterCommand());
            restarted = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(options.out().resolve("postgres.log").toFile())).start();
            query("select 1", rs -> rs.getInt(1));
        }
        catch (IOException | SQLException e) {
            throw new IllegalStateException("PostgreSQL did not restart; see postgres.log", e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        note("PostgreSQL restarted in %s (%d trainings created so far)", Duration.between(began, Instant.now()), created.get());
    }

    /** The postmaster's own command line, as PostgreSQL wrote it to postmaster.opts: the binary, then quoted arguments. */
    private List<String> postmasterCommand() throws IOException {
        String line = Files.readString(pgData.resolve("postmaster.opts")).strip();
        List<String> command = new ArrayList<>();
        var matcher = java.util.regex.Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(line);
        while (matcher.find()) {
            command.add(matcher.group(1) != null ? matcher.group(1) : matcher.group(2));
        }
        return command;
    }

    /** Waits until every training has ended, with an admin's decisions where only an admin can settle one. */
    private Map<String, Long> drain(Set<String> ids) throws Exception {
        long until = System.nanoTime() + DRAIN_LIMIT.toNanos();
        Map<String, Long> counts = Map.of();
        Instant quietSince = null;
        while (System.nanoTime() < until) {
            counts = query("select status, count(*) from training group by status", rs -> Map.entry(rs.getString(1), rs.getLong(2)))
                    .stream().collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, Long::sum, TreeMap::new));
            long open = counts.entrySet().stream().filter(e -> !Set.of("succeeded", "failed", "canceled").contains(e.getKey()))
                    .mapToLong(Map.Entry::getValue).sum();
            long unconfirmed = query("select count(*) from training where submit_unconfirmed_at is not null", rs -> rs.getLong(1)).getFirst();
            System.out.printf("%5ds  %s  unconfirmed now: %d%n", Duration.between(began, Instant.now()).toSeconds(), counts, unconfirmed);
            if (open == 0 && counts.values().stream().mapToLong(Long::longValue).sum() == ids.size()) {
                return counts;
            }
            // Only unconfirmed trainings left and nothing running at fal for a while: no webhook or listing can come.
            boolean onlyUnconfirmed = open == unconfirmed && fal.requests().stream().allMatch(r -> r.endedAt() != null);
            quietSince = onlyUnconfirmed ? (quietSince == null ? Instant.now() : quietSince) : null;
            if (quietSince != null && Duration.between(quietSince, Instant.now()).compareTo(ADMIN_PATIENCE) >= 0) {
                adminDecides();
                quietSince = null;
            }
            sleep(Duration.ofSeconds(5));
        }
        note("not drained within %s", DRAIN_LIMIT);
        return counts;
    }

    /**
     * What the README tells an admin to do with a training that stays unconfirmed once every run at fal has ended: look
     * for its request in fal's request list (here fal's Platform API listing, with payloads), and resubmit it only if
     * fal does not hold it.
     */
    private void adminDecides() throws Exception {
        List<JsonNode> listed = new ArrayList<>();
        String cursor = null;
        do {
            String query = "endpoint_id=" + FakeFalServer.ENDPOINT_ID + "&expand=payloads&limit=100&start=" + began.minusSeconds(60)
                    + (cursor == null ? "" : "&cursor=" + java.net.URLEncoder.encode(cursor, java.nio.charset.StandardCharsets.UTF_8));
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(fal.platformUrl() + "/models/requests/by-endpoint?" + query))
                    .header("Authorization", "Key " + fal.adminKey()).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = JSON.readTree(page.body());
            body.get("items").forEach(listed::add);
            cursor = body.path("next_cursor").isString() ? body.get("next_cursor").asString() : null;
        }
        while (cursor != null);
        for (String[] training : query("select id, input::text from training where submit_unconfirmed_at is not null",
                rs -> new String[] { rs.getString(1), rs.getString(2) })) {
            JsonNode input = JSON.readTree(training[1]);
            boolean atFal = listed.stream().anyMatch(item -> input.equals(NUMBERS_BY_VALUE, item.path("json_input")));
            if (atFal) {
                note("admin: %s is at fal after all; leaving it to the reconciliation", training[0]);
                continue;
            }
            HttpResponse<String> answer = send(instances.stream().filter(Instance::serving).findFirst().orElseThrow(), "POST",
                    "/v1/admin/trainings/" + training[0] + "/resubmit", ADMIN_KEY, "", Map.of());
            adminResubmits.incrementAndGet();
            note("admin: fal's request list has no request with the input of %s; resubmitted (HTTP %d)", training[0], answer.statusCode());
        }
    }

    /** fal bills when a run ends and the gateway reads billing events every few seconds: give the last ones time. */
    private void awaitCosts() throws SQLException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < until
                && query("select count(*) from training where status = 'succeeded' and cost_usd is null", rs -> rs.getLong(1)).getFirst() > 0) {
            sleep(Duration.ofSeconds(2));
        }
        note("costs read from fal's billing events");
    }

    private static final java.util.Comparator<JsonNode> NUMBERS_BY_VALUE = (a, b) ->
            a.isNumber() && b.isNumber() ? a.decimalValue().compareTo(b.decimalValue()) : a.equals(b) ? 0 : 1;

    // --- the verdict -----------------------------------------------------------------------------------------------

    private boolean report(Map<String, String> trainings, Map<String, Long> counts, Duration drained) throws Exception {
        Map<String, String> requestOf = new HashMap<>();
        Map<String, String> costOf = new HashMap<>();
        for (var row : query("select id, fal_request_id, cost_usd from training", rs -> new String[] { rs.getString(1), rs.getString(2),
                rs.getString(3) })) {
            requestOf.put(row[0], row[1]);
            costOf.put(row[0], row[2]);
        }
        Map<String, List<String>> submittedByUrl = new HashMap<>();
        for (FakeFalServer.Submission submission : fal.submissions()) {
            submittedByUrl.computeIfAbsent(submission.input().path("training_data_url").asString(), u -> new ArrayList<>())
                    .add(submission.requestId());
        }
        Map<String, Long> billedByRequest = fal.billingEvents().stream()
                .collect(Collectors.groupingBy(FakeFalServer.BillingEvent::requestId, Collectors.counting()));
        Set<String> owned = new HashSet<>(requestOf.values());

        int notSucceeded = 0;
        int submittedTwice = 0;
        int neverSubmitted = 0;
        int billedTwice = 0;
        int costMismatch = 0;
        for (var training : trainings.entrySet()) {
            List<String> requests = submittedByUrl.getOrDefault(training.getValue(), List.of());
            if (requests.size() > 1) {
                submittedTwice++;
            }
            if (requests.isEmpty()) {
                neverSubmitted++;
            }
            long billed = requests.stream().mapToLong(r -> billedByRequest.getOrDefault(r, 0L)).sum();
            if (billed > 1) {
                billedTwice++;
            }
            String status = query("select status from training where id = '" + training.getKey() + "'", rs -> rs.getString(1)).getFirst();
            if (!"succeeded".equals(status)) {
                notSucceeded++;
            }
            else if (costOf.get(training.getKey()) == null) {
                costMismatch++;
            }
        }
        List<FakeFalServer.Request> strays = fal.requests().stream().filter(r -> !owned.contains(r.requestId())).toList();
        long straysBilled = strays.stream().filter(r -> billedByRequest.containsKey(r.requestId())).count();
        long orphanRows = query("select count(*) from fal_orphan", rs -> rs.getLong(1)).getFirst();
        long everUnconfirmed = query("select count(distinct training_id) from training_event where type = 'submit_unconfirmed'",
                rs -> rs.getLong(1)).getFirst();
        Map<String, Integer> settled = unconfirmedEpisodes();
        Copies copies = copies();

        boolean held = notSucceeded == 0 && submittedTwice == 0 && neverSubmitted == 0 && billedTwice == 0 && strays.isEmpty()
                && orphanRows == 0 && copies.held();
        StringBuilder out = new StringBuilder();
        out.append("# Chaos run, ").append(Instant.now()).append("\n\n");
        out.append("Command: `bench/chaos.sh` with ").append(options.trainings()).append(" trainings, ").append(options.instances())
                .append(" instances, webhooks ").append(options.webhooks() ? "on" : "off").append(", seed ").append(options.seed()).append("\n\n");
        out.append("## What happened\n\n");
        timeline.forEach(line -> out.append("- ").append(line).append('\n'));
        out.append("\n## Faults fal injected\n\n");
        fal.injected().forEach((fault, n) -> out.append("- ").append(fault).append(": ").append(n).append('\n'));
        out.append("\n## Outcome\n\n| | |\n|---|---|\n");
        row(out, "trainings created", trainings.size());
        row(out, "final statuses", counts);
        row(out, "not succeeded", notSucceeded);
        row(out, "inputs fal received more than once (duplicates)", submittedTwice);
        row(out, "trainings fal never received (lost)", neverSubmitted);
        row(out, "trainings billed more than once", billedTwice);
        row(out, "fal requests no training owns (orphans left)", strays.size() + " (" + straysBilled + " billed)");
        row(out, "gateway's orphan records", orphanRows);
        row(out, "trainings whose submit was unconfirmed at some point", everUnconfirmed);
        row(out, "unconfirmed submits settled by fal's webhook / fal's request listing / their late answer",
                settled.getOrDefault("webhook", 0) + " / " + settled.getOrDefault("listing", 0) + " / " + settled.getOrDefault("late answer", 0));
        row(out, "unconfirmed submits left to an admin (fal's request list had no request with their input: resubmitted)",
                settled.getOrDefault("admin", 0));
        row(out, "succeeded without cost_usd", costMismatch);
        row(out, "output files expected (3 per succeeded training)", copies.expected());
        row(out, "stored whole with fal's bytes (size and SHA-256 of the row and of the file in the store)", copies.storedWhole());
        row(out, "output files missing, pending, lost or refused", copies.missing());
        row(out, "stored files whose bytes differ from fal's", copies.corrupt());
        row(out, "files in the store no row names (duplicates, partial files)", copies.strayFiles());
        row(out, "succeeded trainings announced (output_announcement) / more than once", copies.announced() + " / 0 (primary key)");
        row(out, "copies claimed more than once (retried after a failure, or taken over from a killed instance)", copies.takenOver());
        row(out, "copy attempts that failed and were retried (downloads cut short, instance gone)", copies.retried());
        row(out, "downloads fal cut short", filesCut.get());
        row(out, "create calls retried by clients", createRetries.get());
        row(out, "time to drain after the last create", drained.toSeconds() + " s");
        row(out, "whole run", Duration.between(began, Instant.now()).toSeconds() + " s");
        out.append("\nVerdict: ").append(held ? "**held**: every training succeeded, each reached fal once, nothing billed twice, no orphan, every output file stored whole once."
                : "**broken**").append('\n');
        Path report = options.out().resolve("report-webhooks-" + (options.webhooks() ? "on" : "off") + ".md");
        Files.writeString(report, out);
        System.out.println(out);
        System.out.println("Report: " + report);
        return held;
    }

    /** What became of the output files: every succeeded training's three, stored once and byte for byte fal's. */
    private record Copies(long expected, long storedWhole, long missing, long corrupt, long strayFiles, long announced, long takenOver,
            long retried) {

        boolean held() {
            return storedWhole == expected && missing == 0 && corrupt == 0 && strayFiles == 0 && announced == expected / 3;
        }
    }

    private Copies copies() throws Exception {
        Map<String, Long> sizes = Map.of("lora_file", 262_144L, "config_file", 1_024L, "video", 65_536L);
        Map<String, String> fileNames = Map.of("lora_file", "pytorch_lora_weights.safetensors", "config_file", "config.json",
                "video", "validation.mp4");
        List<String[]> succeeded = query("select id, fal_request_id from training where status = 'succeeded'",
                rs -> new String[] { rs.getString(1), rs.getString(2) });
        Map<String, String[]> rows = new HashMap<>();
        for (String[] row : query("select training_id, name, state, sha256, size_bytes from output_copy",
                rs -> new String[] { rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5) })) {
            rows.put(row[0] + "/" + row[1], row);
        }
        Path store = options.out().resolve("artifacts");
        long storedWhole = 0;
        long missing = 0;
        long corrupt = 0;
        for (String[] training : succeeded) {
            for (var output : sizes.entrySet()) {
                String[] row = rows.get(training[0] + "/" + output.getKey());
                Path file = store.resolve(training[0]).resolve(output.getKey());
                if (row == null || !"stored".equals(row[2]) || !Files.isRegularFile(file)) {
                    missing++;
                    continue;
                }
                String expected = sha256(FakeFalServer.fileBytes(training[1], fileNames.get(output.getKey()), output.getValue()));
                if (expected.equals(row[3]) && expected.equals(sha256(Files.readAllBytes(file)))
                        && Long.parseLong(row[4]) == output.getValue()) {
                    storedWhole++;
                }
                else {
                    corrupt++;
                }
            }
        }
        long strayFiles;
        try (var files = Files.walk(store)) {
            strayFiles = files.filter(Files::isRegularFile)
                    .filter(f -> !rows.containsKey(store.relativize(f.getParent()) + "/" + f.getFileName()))
                    .count();
        }
        long announced = query("select count(*) from output_announcement", rs -> rs.getLong(1)).getFirst();
        long takenOver = query("select count(*) from output_copy where claim_count > 1", rs -> rs.getLong(1)).getFirst();
        long retried = query("select coalesce(sum(attempts - 1), 0) from output_copy where attempts > 1", rs -> rs.getLong(1)).getFirst();
        return new Copies(succeeded.size() * 3L, storedWhole, missing, corrupt, strayFiles, announced, takenOver, retried);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /**
     * How each unconfirmed submit was settled: from its submit_unconfirmed event to the adoption that followed (by fal's
     * webhook, fal's listing, or its own late answer) or an admin's resubmit. A training can have several.
     */
    private Map<String, Integer> unconfirmedEpisodes() throws SQLException {
        Map<String, Integer> settled = new TreeMap<>();
        String open = null;
        for (String[] e : query("""
                select training_id, type, coalesce(status, ''), coalesce(message, '') from training_event
                where training_id in (select training_id from training_event where type = 'submit_unconfirmed')
                  and type in ('submit_unconfirmed', 'submit_retried', 'state_changed') order by training_id, id""",
                rs -> new String[] { rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4) })) {
            if (e[1].equals("submit_unconfirmed")) {
                open = e[0];
            }
            else if (e[0].equals(open) && (e[1].equals("submit_retried") || e[2].equals("queued"))) {
                String how = e[1].equals("submit_retried") ? "admin"
                        : e[3].contains("fal's webhook") ? "webhook" : e[3].contains("request listing") ? "listing" : "late answer";
                settled.merge(how, 1, Integer::sum);
                open = null;
            }
        }
        return settled;
    }

    private static void row(StringBuilder out, String what, Object value) {
        out.append("| ").append(what).append(" | ").append(value).append(" |\n");
    }

    // --- plumbing --------------------------------------------------------------------------------------------------

    private void shutDown() {
        for (Instance instance : instances) {
            instance.process.destroyForcibly();
        }
        if (fal != null) {
            fal.close();
        }
        if (webhooks != null) {
            webhooks.close();
        }
        if (restarted != null) {
            try {
                new ProcessBuilder("kill", "-INT", Long.toString(restarted.pid())).start().waitFor(30, TimeUnit.SECONDS);
                restarted.waitFor(60, TimeUnit.SECONDS);
            }
            catch (IOException | InterruptedException e) {
                restarted.destroyForcibly();
            }
        }
        else if (postgres != null) {
            try {
                postgres.close();
            }
            catch (IOException e) {
                System.err.println("Could not stop PostgreSQL: " + e.getMessage());
            }
        }
    }

    private HttpResponse<String> send(Instance to, String method, String path, String key, String body, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(to.url(path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /** Asked again and again while PostgreSQL restarts, so a short outage is waited out. */
    private <T> List<T> query(String sql, Row<T> row) throws SQLException {
        SQLException last = null;
        for (int attempt = 0; attempt < 30; attempt++) {
            try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "postgres"); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery(sql)) {
                List<T> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(row.map(rs));
                }
                return rows;
            }
            catch (SQLException e) {
                last = e;
                sleep(Duration.ofSeconds(1));
            }
        }
        throw last;
    }

    private void note(String format, Object... args) {
        String line = "+" + Duration.between(began, Instant.now()).toSeconds() + " s: " + String.format(format, args);
        timeline.add(line);
        System.out.println(line);
    }

    private static String javaCommand() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
