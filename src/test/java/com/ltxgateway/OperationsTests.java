package com.ltxgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.ltxgateway.support.Api.Response;
import com.ltxgateway.support.Api.TeamKey;
import com.ltxgateway.support.GatewayTestSupport;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import tools.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What operators and their tools see: probes, the Prometheus scrape, request ids and log context. */
class OperationsTests extends GatewayTestSupport {

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)$");

    @Test
    void probesAnswerWithoutAKeyAndShowDetailsToAdminsOnly() {
        Response liveness = api.get("/actuator/health/liveness", null);
        assertThat(liveness.status()).isEqualTo(200);
        assertThat(liveness.json().get("status").asString()).isEqualTo("UP");

        Response readiness = api.get("/actuator/health/readiness", null);
        assertThat(readiness.status()).isEqualTo(200);
        assertThat(readiness.json().get("status").asString()).isEqualTo("UP");

        Response anonymous = api.get("/actuator/health", null);
        assertThat(anonymous.status()).isEqualTo(200);
        assertThat(anonymous.json().has("components")).isFalse();

        Response admin = api.get("/actuator/health/readiness", ADMIN_KEY);
        assertThat(admin.json().at("/components/db/status").asString()).isEqualTo("UP");
        assertThat(admin.json().at("/components/readinessState/status").asString()).isEqualTo("UP");
    }

    @Test
    void prometheusShowsTheGatewaysMetersAfterTrainings() {
        String sandboxKey = newTeamKey("sandbox");
        // Without a signing secret the team's webhook cannot be signed, so its delivery is retried.
        String sandboxId = create(sandboxKey, """
                {"input": {"training_data_url": "https://example.com/clips.zip", "number_of_steps": 100},
                 "webhook_url": "http://127.0.0.1:9/hook"}""").get("id").asString();
        TeamKey live = api.newTeam(ADMIN_KEY, "live");
        String liveId = create(live.key(), minimalRequest("https://example.com/clips.zip")).get("id").asString();
        awaitStatus(sandboxKey, sandboxId, "succeeded");
        awaitTraining(live.key(), liveId, t -> !"pending".equals(t.get("status").asString()));

        Response scrape = api.get("/actuator/prometheus", null);

        assertThat(scrape.status()).isEqualTo(200);
        assertThat(scrape.header("Content-Type")).startsWith("text/plain");
        String text = scrape.text();
        assertThat(sample(text, "gateway_trainings_creations_total", Map.of("mode", "sandbox"))).isGreaterThanOrEqualTo(1);
        assertThat(sample(text, "gateway_trainings_creations_total", Map.of("mode", "live"))).isGreaterThanOrEqualTo(1);
        assertThat(sample(text, "gateway_trainings_finished_total", Map.of("status", "succeeded"))).isGreaterThanOrEqualTo(1);
        assertThat(sample(text, "gateway_fal_calls_seconds_count",
                Map.of("operation", "submit", "outcome", "success", "target", "sandbox"))).isGreaterThanOrEqualTo(1);
        assertThat(sample(text, "gateway_fal_calls_seconds_count",
                Map.of("operation", "submit", "outcome", "success", "target", "fal"))).isGreaterThanOrEqualTo(1);
        assertThat(sample(text, "gateway_fal_calls_seconds_bucket",
                Map.of("operation", "status", "outcome", "success", "target", "sandbox", "le", "60.0"))).isGreaterThanOrEqualTo(1);
        assertThat(sample(text, "gateway_tracker_lag_seconds", Map.of())).isBetween(0.0, 60.0);
        assertThat(sample(text, "gateway_tracker_webhooks_waiting_seconds", Map.of())).isBetween(0.0, 60.0);
        assertThat(sample(text, "gateway_webhook_deliveries_total", Map.of("outcome", "retry"))).isGreaterThanOrEqualTo(1);
        // 100 steps at USD 0.0024; the sandbox team costs nothing.
        assertThat(BigDecimal.valueOf(sample(text, "gateway_estimated_spend_usd_total", Map.of("team", live.slug()))))
                .isEqualByComparingTo("0.24");
        assertThat(text).doesNotContain(FAL_KEY).doesNotContain(live.key()).doesNotContain(sandboxKey);
    }

    @Test
    void everyResponseCarriesARequestId() {
        Response api = this.api.get("/v1/trainings", null);
        assertThat(api.status()).isEqualTo(401);
        assertThat(api.header("X-Request-Id")).matches("[0-9a-f-]{36}");
        assertThat(this.api.get("/v1/trainings", null).header("X-Request-Id")).isNotEqualTo(api.header("X-Request-Id"));

        Response dashboard = this.api.get("/login", null);
        assertThat(dashboard.status()).isEqualTo(200);
        assertThat(dashboard.header("X-Request-Id")).matches("[0-9a-f-]{36}");
    }

    @Test
    void aValidRequestIdIsEchoedAndAnInvalidOneReplaced() {
        String key = newTeamKey("sandbox");
        String given = "edge-7f3a:" + "x".repeat(90);
        assertThat(api.send("GET", "/v1/trainings", key, null, Map.of("X-Request-Id", given)).header("X-Request-Id"))
                .isEqualTo(given);
        assertThat(api.send("GET", "/login", null, null, Map.of("X-Request-Id", given)).header("X-Request-Id"))
                .isEqualTo(given);

        for (String invalid : List.of(given + "x", "two words")) {
            String echoed = api.send("GET", "/v1/trainings", key, null, Map.of("X-Request-Id", invalid)).header("X-Request-Id");
            assertThat(echoed).as(invalid).matches("[0-9a-f-]{36}");
        }
    }

    @Test
    void trackerLogLinesNameTheTrainingAndItsFalRequest() {
        Logger adapter = (Logger) LoggerFactory.getLogger("com.ltxgateway.fal.WebClientFalQueue");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        Level level = adapter.getLevel();
        adapter.setLevel(Level.DEBUG);
        adapter.addAppender(lines);
        try {
            String key = newTeamKey("sandbox");
            String id = create(key, minimalRequest("https://example.com/clips.zip")).get("id").asString();
            JsonNode done = awaitStatus(key, id, "succeeded");

            String falRequestId = done.get("fal_request_id").asString();
            assertThat(lines.list.stream().filter(line -> id.equals(line.getMDCPropertyMap().get("training_id"))))
                    .isNotEmpty()
                    .filteredOn(line -> line.getFormattedMessage().startsWith("fal status"))
                    .isNotEmpty()
                    .allSatisfy(line -> assertThat(line.getMDCPropertyMap()).containsEntry("fal_request_id", falRequestId));
        }
        finally {
            adapter.detachAppender(lines);
            adapter.setLevel(level);
        }
    }

    /** The value of the one sample of {@code name} whose labels include {@code labels}; fails when there is none. */
    private static double sample(String scrape, String name, Map<String, String> labels) {
        for (String line : scrape.split("\n")) {
            Matcher matcher = SAMPLE.matcher(line);
            if (!matcher.matches() || !matcher.group(1).equals(name)) {
                continue;
            }
            String found = matcher.group(3) == null ? "" : matcher.group(3);
            if (labels.entrySet().stream().allMatch(l -> found.contains(l.getKey() + "=\"" + l.getValue() + "\""))) {
                return Double.parseDouble(matcher.group(4));
            }
        }
        throw new AssertionError("no sample " + name + labels + " in the scrape:\n" + scrape.lines()
                .filter(l -> l.startsWith("gateway_")).reduce("", (a, b) -> a + b + "\n"));
    }
}
