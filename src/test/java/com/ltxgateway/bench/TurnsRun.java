package com.ltxgateway.bench;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.ltxgateway.fal.FakeFalServer;
import com.ltxgateway.fal.FakeFalWebhooks;
import com.ltxgateway.support.CommandLineOptions;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import tools.jackson.databind.json.JsonMapper;

/**
 * The run behind {@code bench/turns.sh}: fair turns at fal as deployed. Two gateway processes (the application jar) on
 * one PostgreSQL with the account limited to {@code --account-limit} trainings at fal, against a fal stand-in on loopback
 * whose runs take {@code --run-seconds} and which reports each end by webhook. One team submits a sweep; a few seconds
 * later two small teams submit a few each; a fourth team with a limit of one submits a few. Everything is followed to
 * the end, then fal's own record is read: the most requests it held at once (overall, and of the limited team), inputs
 * it received more than once, how long each freed slot stayed empty while trainings waited (from the end of a request at
 * fal to the next submit), and how long each team's trainings waited for their turn.
 *
 * <pre>
 * java -cp ... com.ltxgateway.bench.TurnsRun --jar target/app.jar [--out target/turns] [--account-limit 4] [--sweep 60]
 *      [--small 8] [--run-seconds 2]
 * </pre>
 */
public final class TurnsRun {

    private static final JsonMapper JSON = JsonMapper.shared();
    private static final String FAL_KEY = "fal-turns-key-0123456789";
    private static final String ADMIN_KEY = "ltx_admin_turns_0123456789abcdefghijklmnopqrstuvwxyz";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<String> report = new ArrayList<>();
    private final Map<String, List<Instant>> createdAt = new LinkedHashMap<>();

    public static void main(String[] args) throws Exception {
        CommandLineOptions options = CommandLineOptions.parse(args, "jar");
        Path out = Path.of(options.get("out", "target/turns"));
        Files.createDirectories(out);
        int status = new TurnsRun().run(Path.of(options.get("jar")), out, options.integer("account-limit", 4),
                options.integer("sweep", 60), options.integer("small", 8), options.integer("run-seconds", 2));
        System.exit(status);
    }

    private int run(Path jar, Path out, int accountLimit, int sweep, int small, int runSeconds) throws Exception {
        List<GatewayProcess> gateways = new ArrayList<>();
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
                FakeFalServer fal = FakeFalServer.start(FAL_KEY);
                FakeFalWebhooks webhooks = FakeFalWebhooks.start()) {
            try (Connection c = DriverManager.getConnection(postgres.getJdbcUrl("postgres", "postgres")); Statement s = c.createStatement()) {
                s.execute("create database turns");
            }
            fal.runDuration(Duration.ofSeconds(runSeconds));
            for (String name : List.of("first", "second")) {
                Map<String, String> env = new LinkedHashMap<>();
                env.put("SPRING_DATASOURCE_URL", "jdbc:postgresql://localhost:" + postgres.getPort() + "/turns");
                env.put("SPRING_DATASOURCE_USERNAME", "postgres");
                env.put("SPRING_DATASOURCE_PASSWORD", "postgres");
                env.put("GATEWAY_BOOTSTRAP_ADMIN_KEY", ADMIN_KEY);
                env.put("FAL_KEY", FAL_KEY);
                env.put("GATEWAY_FAL_QUEUE_URL", fal.queueUrl().toString());
                env.put("GATEWAY_FAL_USER_ID", FakeFalWebhooks.USER_ID);
                env.put("GATEWAY_FAL_JWKS_URL", webhooks.jwksUrl().toString());
                env.put("GATEWAY_FAL_MAX_CONCURRENT", Integer.toString(accountLimit));
                env.put("GATEWAY_TRACKER_WEBHOOKS_EXPECTED", "true");
                env.put("SPRING_MAIN_BANNER_MODE", "off");
                env.put("LOGGING_LEVEL_ROOT", "WARN");
                GatewayProcess gateway = GatewayProcess.start(name, jar, List.of("-Xmx512m"), env, "turns", out);
                gateway.awaitReady(http);
                gateways.add(gateway);
            }
            // fal's webhooks reach the first instance, as a load balancer may send them all to one.
            fal.sendWebhooks(webhooks).webhookTarget(url -> gateways.getFirst().url(url.getRawPath()));

            String sweepKey = team(gateways.getFirst(), "sweep", null);
            String smallA = team(gateways.getFirst(), "small-a", null);
            String smallB = team(gateways.getFirst(), "small-b", null);
            String limited = team(gateways.getFirst(), "limited", 1);
            create(gateways, sweepKey, "sweep", sweep);
            Thread.sleep(Duration.ofSeconds(runSeconds * 2L));
            create(gateways, smallA, "small-a", small);
            create(gateways, smallB, "small-b", small);
            create(gateways, limited, "limited", small / 2);
            int total = createdAt.values().stream().mapToInt(List::size).sum();
            awaitEnded(gateways.getFirst(), total, Duration.ofMinutes(10));

            List<FakeFalServer.Request> requests = fal.requests().stream().filter(r -> url(r).startsWith("https://data.example.com/turns/")).toList();
            return write(out, requests, accountLimit, total, runSeconds);
        }
        finally {
            gateways.forEach(GatewayProcess::stop);
        }
    }

    private int write(Path out, List<FakeFalServer.Request> requests, int accountLimit, int created, int runSeconds) throws IOException {
        long distinctInputs = requests.stream().map(TurnsRun::url).distinct().count();
        int most = mostAtOnce(requests);
        int mostLimited = mostAtOnce(requests.stream().filter(r -> url(r).contains("/limited/")).toList());
        List<Long> gaps = slotGaps(requests, accountLimit);
        note("# Fair turns run %s", Instant.now());
        note("");
        note("Two instances, account limit %d, fal runs %d s each and reports their end by webhook; teams: %s.", accountLimit,
                runSeconds, createdAt.entrySet().stream().map(e -> e.getKey() + " " + e.getValue().size()).collect(Collectors.joining(", ")));
        note("");
        note("| | |");
        note("|---|---|");
        note("| trainings created / submitted to fal / distinct inputs | %d / %d / %d |", created, requests.size(), distinctInputs);
        note("| most requests at fal at once (limit %d) | %d |", accountLimit, most);
        note("| most of the limited team's at once (limit 1) | %d |", mostLimited);
        note("| freed slots taken while trainings waited | %d |", gaps.size());
        note("| slot empty after a run ended at fal, p50 / p90 / max | %d / %d / %d ms |", percentile(gaps, 50), percentile(gaps, 90),
                gaps.isEmpty() ? 0 : gaps.getLast());
        note("");
        note("| team | trainings | wait for a turn p50 | max |");
        note("|---|---|---|---|");
        createdAt.keySet().forEach(team -> {
            List<Long> waits = waits(requests, team);
            note("| %s | %d | %.1f s | %.1f s |", team, waits.size(), percentile(waits, 50) / 1000.0, waits.isEmpty() ? 0 : waits.getLast() / 1000.0);
        });
        Files.write(out.resolve("report.md"), report);
        System.out.println("report: " + out.resolve("report.md"));
        boolean held = most <= accountLimit && mostLimited <= 1 && requests.size() == created && distinctInputs == created;
        return held ? 0 : 1;
    }

    /**
     * For each slot freed while the account was full and trainings waited, how long until the next submit took it: a
     * sweep over fal's own start and end times.
     */
    private List<Long> slotGaps(List<FakeFalServer.Request> requests, int accountLimit) {
        List<Instant> created = createdAt.values().stream().flatMap(List::stream).sorted().toList();
        Deque<Instant> freed = new ArrayDeque<>();
        List<Long> gaps = new ArrayList<>();
        int atFal = 0;
        int sent = 0;
        for (Edge edge : edges(requests)) {
            if (edge.change() < 0) {
                long waiting = created.stream().filter(at -> !at.isAfter(edge.at())).count() - sent;
                if (atFal == accountLimit && waiting > 0) {
                    freed.add(edge.at());
                }
            }
            else {
                sent++;
                if (!freed.isEmpty()) {
                    gaps.add(Duration.between(freed.poll(), edge.at()).toMillis());
                }
            }
            atFal += edge.change();
        }
        gaps.sort(null);
        return gaps;
    }

    private List<Long> waits(List<FakeFalServer.Request> requests, String team) {
        List<FakeFalServer.Request> own = requests.stream().filter(r -> url(r).contains("/" + team + "/")).toList();
        List<Long> waits = new ArrayList<>();
        for (FakeFalServer.Request request : own) {
            int index = Integer.parseInt(url(request).replaceAll(".*/(\\d+)\\.zip$", "$1"));
            waits.add(Duration.between(createdAt.get(team).get(index), request.sentAt()).toMillis());
        }
        waits.sort(null);
        return waits;
    }

    private record Edge(Instant at, int change) {
    }

    /** Each request's start (+1) and end (-1) at fal, in time order; an end before a start at the same instant. */
    private static List<Edge> edges(List<FakeFalServer.Request> requests) {
        List<Edge> edges = new ArrayList<>();
        requests.forEach(r -> {
            edges.add(new Edge(r.sentAt(), 1));
            edges.add(new Edge(r.endedAt(), -1));
        });
        edges.sort(Comparator.comparing(Edge::at).thenComparingInt(Edge::change));
        return edges;
    }

    private static int mostAtOnce(List<FakeFalServer.Request> requests) {
        int now = 0;
        int most = 0;
        for (Edge edge : edges(requests)) {
            now += edge.change();
            most = Math.max(most, now);
        }
        return most;
    }

    private String team(GatewayProcess gateway, String slug, Integer limit) throws Exception {
        send(gateway, "POST", "/v1/admin/teams", ADMIN_KEY, "{\"slug\":\"" + slug + "\",\"name\":\"" + slug + "\"}");
        if (limit != null) {
            send(gateway, "PUT", "/v1/admin/teams/" + slug + "/limits", ADMIN_KEY, "{\"max_concurrent\":" + limit + "}");
        }
        createdAt.put(slug, new ArrayList<>());
        return JSON.readTree(send(gateway, "POST", "/v1/admin/teams/" + slug + "/api-keys", ADMIN_KEY,
                "{\"name\":\"turns\",\"mode\":\"live\"}").body()).get("key").asString();
    }

    /** One after the other, alternating between the instances, as a client behind a load balancer would. */
    private void create(List<GatewayProcess> gateways, String key, String team, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            String body = "{\"input\":{\"training_data_url\":\"https://data.example.com/turns/" + team + "/" + i + ".zip\",\"number_of_steps\":100}}";
            HttpResponse<String> created = send(gateways.get(i % gateways.size()), "POST", "/v1/trainings", key, body);
            createdAt.get(team).add(Instant.parse(JSON.readTree(created.body()).get("created_at").asString()));
        }
    }

    private void awaitEnded(GatewayProcess gateway, int trainings, Duration limit) throws Exception {
        long until = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < until) {
            long unfinished = 0;
            for (String team : createdAt.keySet()) {
                String page = send(gateway, "GET", "/v1/trainings?team=" + team + "&status=succeeded&limit=100", ADMIN_KEY, null).body();
                unfinished += createdAt.get(team).size() - JSON.readTree(page).get("data").size();
            }
            if (unfinished == 0) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        throw new IllegalStateException(trainings + " trainings did not all succeed within " + limit);
    }

    private HttpResponse<String> send(GatewayProcess gateway, String method, String path, String key, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(gateway.url(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + path + ": HTTP " + response.statusCode() + " " + response.body());
        }
        return response;
    }

    private static String url(FakeFalServer.Request request) {
        return request.input().path("training_data_url").asString();
    }

    private static long percentile(List<Long> sorted, int percent) {
        return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(percent / 100.0 * sorted.size()) - 1));
    }

    private void note(String format, Object... args) {
        String line = args.length == 0 ? format : String.format(format, args);
        report.add(line);
        System.out.println(line);
    }
}
