package com.ltxgateway.reconciliation;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

import com.ltxgateway.fal.FakeFalServer;
import com.ltxgateway.fal.FakeFalServer.Call;
import com.ltxgateway.support.Api;
import com.ltxgateway.support.GatewayTestSupport;
import com.ltxgateway.support.TestPostgres;

import tools.jackson.databind.JsonNode;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The gateway compared with what fal itself knows, through a fal stand-in that speaks fal's Platform API: fal's webhooks
 * never reach this gateway (no fal user id is configured), so only the request listing can settle a submit whose
 * answer was lost, and only the billing events tell what fal billed. A database and a fal of its own, so that what
 * the listing shows is this class's alone.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class ReconciliationTests {

    private static final String ADMIN_KEY = "ltx_admin_reconciliation_0123456789abcdefghijklmnopqrst";
    private static final String FAL_KEY = "fal-reconciliation-key-0123456789";
    private static final FakeFalServer FAL = FakeFalServer.start(FAL_KEY, "fal-admin-0123456789abcdef");

    @LocalServerPort
    private int port;

    private Api api;
    private String key;
    private String url;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        String database = TestPostgres.newDatabase("reconciliation");
        TestPostgres.useDatabase(registry, () -> database);
        registry.add("gateway.bootstrap.admin-key", () -> ADMIN_KEY);
        registry.add("gateway.fal.key", () -> FAL_KEY);
        registry.add("gateway.fal.queue-url", () -> FAL.queueUrl().toString());
        registry.add("gateway.fal.api-url", () -> FAL.platformUrl().toString());
        registry.add("gateway.fal.admin-key", FAL::adminKey);
        registry.add("gateway.fal.connect-timeout", () -> "1s");
        registry.add("gateway.fal.read-timeout", () -> "1s");
        GatewayTestSupport.useArtifactStore(registry);
        registry.add("gateway.tracker.idle-interval", () -> "100ms");
        registry.add("gateway.tracker.poll-min-interval", () -> "200ms");
        registry.add("gateway.tracker.poll-max-interval", () -> "1s");
        registry.add("gateway.tracker.retry-initial-interval", () -> "200ms");
        registry.add("gateway.tracker.retry-max-interval", () -> "1s");
        registry.add("gateway.reconciliation.interval", () -> "500ms");
        registry.add("gateway.reconciliation.orphan-grace", () -> "1s");
        registry.add("gateway.reconciliation.cancel-idle-interval", () -> "100ms");
        registry.add("gateway.reconciliation.cancel-retry-initial-interval", () -> "200ms");
    }

    @Autowired
    FalPricing pricing;

    @Autowired
    JdbcClient jdbc;

    @AfterAll
    static void stopFal() {
        FAL.close();
    }

    @BeforeEach
    void team() {
        api = new Api("http://localhost:" + port);
        key = api.newTeam(ADMIN_KEY, "live").key();
        url = "https://data.example.com/reconcile/" + UUID.randomUUID() + ".zip";
        FAL.runsAsDefault().runDuration(Duration.ofMillis(500));
    }

    @Test
    void estimatesUseFalsOwnPriceAndKeepItWhileFalCannotBeAsked() {
        FAL.unitPrice(new BigDecimal("0.002"));
        try {
            pricing.refresh();
            JsonNode training = api.createTraining(key, request(url, 1000));
            assertThat(training.get("unit_price_usd").decimalValue()).isEqualByComparingTo("0.002");
            assertThat(training.get("estimated_cost_usd").decimalValue()).isEqualByComparingTo("2");

            FAL.failNext(1, call -> call.operation().equals(FakeFalServer.PRICING), 503, Map.of(), "{\"detail\":\"down\"}");
            pricing.refresh();
            JsonNode validated = api.post("/v1/trainings/validate", key, request(url, 500)).json();
            assertThat(validated.get("unit_price_usd").decimalValue()).isEqualByComparingTo("0.002");
            assertThat(validated.get("estimated_cost_usd").decimalValue()).isEqualByComparingTo("1");
            assertThat(api.get("/v1/trainings/" + training.get("id").asString(), key).json().get("unit_price_usd").decimalValue())
                    .as("a training keeps the price it was estimated with").isEqualByComparingTo("0.002");
        }
        finally {
            FAL.unitPrice(new BigDecimal("0.0024"));
            pricing.refresh();
        }
        assertThat(api.post("/v1/trainings/validate", key, request(url, 500)).json().get("unit_price_usd").decimalValue())
                .isEqualByComparingTo("0.0024");
    }

    @Test
    void aSubmitWhoseAnswerWasLostIsAdoptedFromFalsListingOnceItEndedAndGetsFalsCost() {
        FAL.dropAnswerNext(1, submitOf(url));

        String id = api.createTraining(key, request(url, 1000)).get("id").asString();
        JsonNode done = awaitTraining(id, t -> "succeeded".equals(t.get("status").asString()));

        List<FakeFalServer.Submission> submissions = submissionsOf(url);
        assertThat(submissions).hasSize(1);
        assertThat(done.get("fal_request_id").asString()).isEqualTo(submissions.getFirst().requestId());
        assertThat(done.get("submit_unconfirmed_at").isNull()).isTrue();
        assertThat(eventMessages(id, "submit_unconfirmed")).singleElement().asString().contains("was lost");
        assertThat(eventMessages(id, "state_changed")).anyMatch(m -> m.contains("found in fal's request listing"));
        // What fal billed for it: 1000 steps at USD 0.0024.
        JsonNode billed = awaitTraining(id, t -> !t.get("cost_usd").isNull());
        assertThat(billed.get("cost_usd").decimalValue()).isEqualByComparingTo("2.4");
        assertThat(orphans()).noneMatch(o -> o.get("request_id").asString().equals(submissions.getFirst().requestId()));
    }

    @Test
    void unconfirmedTrainingsWithTheSameInputEachAdoptARequestOfTheirOwn() {
        FAL.dropAnswerNext(2, submitOf(url));

        String first = api.createTraining(key, request(url, 100)).get("id").asString();
        String second = api.createTraining(key, request(url, 100)).get("id").asString();
        JsonNode a = awaitTraining(first, t -> "succeeded".equals(t.get("status").asString()));
        JsonNode b = awaitTraining(second, t -> "succeeded".equals(t.get("status").asString()));

        assertThat(submissionsOf(url)).hasSize(2);
        assertThat(List.of(a.get("fal_request_id").asString(), b.get("fal_request_id").asString()))
                .containsExactlyInAnyOrderElementsOf(submissionsOf(url).stream().map(FakeFalServer.Submission::requestId).toList());
    }

    @Test
    void aRequestNoTrainingOwnsIsAnOrphanAndIsCanceledWhileItRuns() {
        FAL.listUnended(true).runDuration(Duration.ofMinutes(5));
        String stray = submitDirectly(request(url, 100));

        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> orphan(stray).map(o -> !"pending".equals(o.path("cancel").asString())
                && !o.path("cancel").isNull()).orElse(false));

        JsonNode orphan = orphan(stray).orElseThrow();
        assertThat(orphan.get("found_by").asString()).isEqualTo("listing");
        assertThat(orphan.get("cancel").asString()).isIn("OK", "CANCELLATION_REQUESTED");
        assertThat(orphan.get("training_id").isNull()).isTrue();
        assertThat(FAL.requests()).filteredOn(r -> r.requestId().equals(stray)).singleElement()
                .satisfies(r -> assertThat(r.outcome()).isEqualTo(FakeFalServer.Outcome.CANCELED));
        assertThat(FAL.billingEvents()).noneMatch(e -> e.requestId().equals(stray));
    }

    @Test
    void anOrphanThatEndedIsRecordedWithWhatFalBilledForIt() {
        String stray = submitDirectly(request(url, 500));

        // The listing and the billing events may name it in different runs.
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> orphan(stray)
                .map(o -> !o.path("billed_usd").isNull() && !o.path("status_code").isNull()).orElse(false));

        JsonNode orphan = orphan(stray).orElseThrow();
        assertThat(orphan.get("billed_usd").decimalValue()).isEqualByComparingTo("1.2");
        assertThat(orphan.get("status_code").asInt()).isEqualTo(200);
        assertThat(orphan.get("cancel").isNull()).as("it had ended: nothing to cancel").isTrue();
    }

    @Test
    void aTrainingFalDoesNotBillCostsNothing() {
        FAL.failRunsWhen(input -> url.equals(input.path("training_data_url").asString()), 422, null, "The archive holds no video clips");

        String id = api.createTraining(key, request(url, 100)).get("id").asString();
        JsonNode failed = awaitTraining(id, t -> "failed".equals(t.get("status").asString()));

        assertThat(failed.get("cost_usd").decimalValue()).isEqualByComparingTo(BigDecimal.ZERO);
    }

    @Test
    void aTrainingWhoseResultFalNoLongerGivesEndsWithTheOutcomeFalsListingShows() {
        FAL.failNext(1000, call -> call.operation().equals(FakeFalServer.RESULT) && url.equals(call.trainingDataUrl()), 404,
                Map.of(), "{\"detail\": \"Request not found\"}");

        String id = api.createTraining(key, request(url, 100)).get("id").asString();
        JsonNode done = awaitTraining(id, t -> "succeeded".equals(t.get("status").asString()));

        assertThat(done.get("output").get("lora_file").get("source_url").asString()).contains(done.get("fal_request_id").asString());
        assertThat(eventMessages(id, "fal_unavailable")).anyMatch(m -> m.contains("fal reports the run completed but gives no result"));
        assertThat(eventMessages(id, "state_changed")).noneMatch(m -> m.contains("failed"));
    }

    @Test
    void whatFalBilledIsKeptForTheDailyComparisonOncePerRequest() {
        String id = api.createTraining(key, request(url, 100)).get("id").asString();
        String requestId = awaitTraining(id, t -> !t.get("cost_usd").isNull()).get("fal_request_id").asString();
        String stray = submitDirectly(request("https://data.example.com/reconcile/" + UUID.randomUUID() + ".zip", 500));

        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> billedUsd(stray).isPresent());
        // Later runs read the same events again (their windows overlap): each is still kept once, and no run fails.
        Instant later = Instant.now().plusSeconds(2);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.sql(
                "select last_run_at > ? and last_error is null from cluster_task where name = 'fal-reconciliation'")
                .param(java.sql.Timestamp.from(later)).query(Boolean.class).optional().orElse(false));

        assertThat(billedUsd(requestId)).hasValueSatisfying(usd -> assertThat(usd).isEqualByComparingTo("0.24"));
        assertThat(billedUsd(stray)).hasValueSatisfying(usd -> assertThat(usd).isEqualByComparingTo("1.2"));
        JsonNode report = api.get("/v1/admin/fal/billing", ADMIN_KEY).json();
        assertThat(report.get("billing_read").asBoolean()).isTrue();
        JsonNode today = report.get("data").get(0);
        assertThat(today.get("day").asString()).isEqualTo(LocalDate.now(ZoneOffset.UTC).toString());
        assertThat(today.get("fal_requests").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(today.get("trainings").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(today.get("matches").asBoolean()).as("fal billed a request no training owns").isFalse();
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    private static String request(String url, int steps) {
        return "{\"input\":{\"training_data_url\":\"" + url + "\",\"number_of_steps\":" + steps + "}}";
    }

    private static Predicate<Call> submitOf(String url) {
        return call -> call.operation().equals(FakeFalServer.SUBMIT) && url.equals(call.trainingDataUrl());
    }

    private static List<FakeFalServer.Submission> submissionsOf(String url) {
        return FAL.submissions().stream().filter(s -> url.equals(s.input().path("training_data_url").asString())).toList();
    }

    /** A request someone made with the company's fal key, not through the gateway. */
    private static String submitDirectly(String body) {
        String input = Api.JSON.readTree(body).get("input").toString();
        var response = new Api(FAL.queueUrl().toString()).post("/" + FakeFalServer.ENDPOINT_ID, null, input,
                Map.of("Authorization", "Key " + FAL_KEY));
        assertThat(response.status()).isEqualTo(200);
        return response.json().get("request_id").asString();
    }

    private JsonNode awaitTraining(String id, Predicate<JsonNode> condition) {
        JsonNode[] last = new JsonNode[1];
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            last[0] = api.get("/v1/trainings/" + id, key).json();
            return condition.test(last[0]);
        });
        return last[0];
    }

    private List<String> eventMessages(String id, String type) {
        return api.get("/v1/trainings/" + id + "/events", key).json().get("data").valueStream()
                .filter(e -> e.get("type").asString().equals(type)).map(e -> e.path("message").asString()).toList();
    }

    private List<JsonNode> orphans() {
        var response = api.get("/v1/admin/fal/orphans?limit=100", ADMIN_KEY);
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return response.json().get("data").valueStream().toList();
    }

    private Optional<BigDecimal> billedUsd(String requestId) {
        return jdbc.sql("select cost_usd from fal_billing_event where request_id = ?").param(requestId).query(BigDecimal.class).optional();
    }

    private Optional<JsonNode> orphan(String requestId) {
        return orphans().stream().filter(o -> requestId.equals(o.get("request_id").asString())).findFirst();
    }
}
