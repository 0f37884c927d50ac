package com.ltxgateway.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import com.ltxgateway.fal.FakeFalServer;
import com.ltxgateway.fal.FakeFalWebhooks;
import com.ltxgateway.fal.FalWebhookSignature;
import com.ltxgateway.support.Api;
import com.ltxgateway.support.GatewayTestSupport;
import com.ltxgateway.web.RequestsInFlight;

import tools.jackson.databind.JsonNode;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/**
 * fal's webhooks, end to end: live trainings run on {@link FakeFalServer}, which sends no webhooks, so each test
 * posts them itself, signed with the keys {@link FakeFalWebhooks} publishes as fal's JWKS. Runs last ten minutes at
 * fal here, so only a webhook can end them while a test looks.
 */
class FalWebhookTests extends GatewayTestSupport {

    @Autowired
    private JdbcClient jdbc;
    @Autowired
    private FalWebhookTokens tokens;
    @Autowired
    private RequestsInFlight requests;
    @Autowired
    private ReceivedFalWebhooks receivedFalWebhooks;
    @Autowired
    private FalWebhookIntake intake;
    @Autowired
    private TrackerProperties properties;

    private String key;
    private String url;

    @BeforeEach
    void liveTeamAndLongRuns() {
        key = newTeamKey("live");
        url = "https://data.example.com/webhooks/" + UUID.randomUUID() + ".zip";
        FAL.runsAsDefault().runDuration(Duration.ofMinutes(10));
    }

    @AfterEach
    void shortRunsForOthers() {
        FAL.runsAsDefault();
    }

    @Test
    void aDeliveryIsNoCallerTheTrackerStepsAsideFor() throws Exception {
        AtomicBoolean serving = new AtomicBoolean(true);
        requests.doFilter(new MockHttpServletRequest("POST", KeyModeRouting.WEBHOOK_PATH + "trn_01/token"), new MockHttpServletResponse(),
                (request, response) -> serving.set(requests.serving()));
        assertThat(serving).isFalse();
    }

    @Test
    void refusesDeliveriesThatAreNotSignedFreshlyByFalAndChangesNothing() {
        JsonNode training = runningTraining();
        String id = training.get("id").asString();
        String requestId = training.get("fal_request_id").asString();
        String body = ok(requestId);
        Instant now = Instant.now();
        FalWebhookSignature.Headers valid = FAL_WEBHOOKS.sign(requestId, body, now);

        assertRefused(deliver(id, body, Map.of()));
        assertRefused(deliver(id, body, FakeFalWebhooks.asMap(FakeFalWebhooks.sign(FakeFalWebhooks.newKey(), requestId, body, now))));
        assertRefused(deliver(id, body, FakeFalWebhooks.asMap(FAL_WEBHOOKS.sign(requestId, body, now.minusSeconds(360)))));
        // The server compares with its own clock a little later; the exact 300 s edges are FalWebhookVerifierTests'.
        assertRefused(deliver(id, body, FakeFalWebhooks.asMap(FAL_WEBHOOKS.sign(requestId, body, now.plusSeconds(360)))));
        assertRefused(deliver(id, body.replace("lora.safetensors", "other.safetensors"), FakeFalWebhooks.asMap(valid)));
        assertRefused(deliver(id, body, FakeFalWebhooks.asMap(new FalWebhookSignature.Headers(requestId, valid.userId(),
                valid.timestamp(), "zz" + valid.signature().substring(2)))));
        // Signed for this training's request, but the body speaks of another one.
        String otherBody = ok(UUID.randomUUID().toString());
        assertRefused(deliver(id, otherBody, FakeFalWebhooks.asMap(FAL_WEBHOOKS.sign(requestId, otherBody, now))));

        JsonNode unchanged = api.get("/v1/trainings/" + id, key).json();
        assertThat(unchanged.get("status").asString()).isIn("queued", "running");
        assertThat(unchanged.get("output").isNull()).isTrue();
        assertThat(unchanged.get("finished_at").isNull()).isTrue();
        assertThat(eventTypes(id)).doesNotContain("fal_webhook", "duplicate_request");
        assertThat(kept(id)).isZero();

        // A training that does not exist, the URL without its token or with another training's, a delivery signed for
        // another fal account: each is refused exactly like a forged signature, so nothing tells them apart.
        Map<String, String> genuine = FakeFalWebhooks.asMap(valid);
        String unknownTraining = "trn_" + UUID.randomUUID().toString().replace("-", "");
        assertRefusedLikeAForgery(deliver(unknownTraining, body, genuine), deliver(id, body, Map.of()));
        assertRefusedLikeAForgery(api.post("/fal/webhooks/" + unknownTraining + "/" + tokens.tokenFor(id), null, body, genuine),
                deliver(id, body, Map.of()));
        assertRefused(api.post("/fal/webhooks/" + id, null, body, genuine));
        assertRefused(api.post("/fal/webhooks/" + id + "/AAAAAAAAAAAAAAAAAAAAAA", null, body, genuine));
        // Signed by fal's own key, but for another of fal's customers.
        assertRefused(deliver(id, body, FakeFalWebhooks.asMap(FAL_WEBHOOKS.sign(requestId, "another-fal-customer", body, now))));
        assertThat(eventTypes(id)).doesNotContain("fal_webhook", "duplicate_request");

        assertThat(kept(id)).isZero();

        // The genuine delivery is still taken.
        assertThat(deliver(id, body, FakeFalWebhooks.asMap(valid)).status()).isEqualTo(200);
        awaitApplied(id);
        assertThat(api.get("/v1/trainings/" + id, key).json().get("status").asString()).isEqualTo("succeeded");
    }

    @Test
    void appliesACompletionRightAfterKeepingItAndChangesNothingOnRepeats() {
        JsonNode training = runningTraining();
        String id = training.get("id").asString();
        String requestId = training.get("fal_request_id").asString();
        String body = ok(requestId);
        Map<String, String> headers = FakeFalWebhooks.asMap(FAL_WEBHOOKS.sign(requestId, body, Instant.now()));

        long sent = System.nanoTime();
        assertThat(deliver(id, body, headers).status()).isEqualTo(200);
        awaitApplied(id);
        JsonNode done = api.get("/v1/trainings/" + id, key).json();
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(1));

        assertThat(done.get("status").asString()).isEqualTo("succeeded");
        assertThat(done.get("output").get("lora_file").get("source_url").asString()).isEqualTo("https://v3.fal.media/files/x/lora.safetensors");
        assertThat(done.get("output").get("config_file").get("file_name").asString()).isEqualTo("config.json");
        assertThat(done.get("finished_at").isNull()).isFalse();
        assertThat(events(id)).filteredOn(e -> e.get("type").asString().equals("fal_webhook")).singleElement()
                .satisfies(e -> assertThat(e.get("message").asString()).contains(requestId).contains("OK"));

        // fal delivers again, and then a late, contradicting delivery arrives: nothing changes.
        assertThat(deliver(id, body, headers).status()).isEqualTo(200);
        awaitApplied(id);
        String error = error(requestId);
        assertThat(deliver(id, error, FakeFalWebhooks.asMap(FAL_WEBHOOKS.sign(requestId, error, Instant.now()))).status()).isEqualTo(200);
        awaitApplied(id);

        JsonNode after = api.get("/v1/trainings/" + id, key).json();
        assertThat(after.get("status").asString()).isEqualTo("succeeded");
        assertThat(after.get("finished_at")).isEqualTo(done.get("finished_at"));
        assertThat(after.get("output")).isEqualTo(done.get("output"));
        assertThat(after.get("error").isNull()).isTrue();
        assertThat(stateChanges(id)).endsWith("succeeded").doesNotHaveDuplicates();
        assertThat(eventTypes(id).stream().filter("fal_webhook"::equals)).hasSize(3);
        assertThat(openJob(id)).isFalse();
    }

    @Test
    void answersOnceADeliveryIsKeptAndAppliesItWhenAnInstanceCan() {
        JsonNode training = runningTraining();
        String id = training.get("id").asString();
        String requestId = training.get("fal_request_id").asString();
        String body = ok(requestId);
        Map<String, String> headers = FakeFalWebhooks.asMap(FAL_WEBHOOKS.sign(requestId, body, Instant.now()));
        receivedFalWebhooks.stop();
        try {
            // No instance applies webhooks meanwhile: fal is answered all the same, and its repeat adds nothing.
            assertThat(deliver(id, body, headers).status()).isEqualTo(200);
            assertThat(deliver(id, body, headers).status()).isEqualTo(200);
            assertThat(kept(id)).isOne();
            assertThat(api.get("/v1/trainings/" + id, key).json().get("status").asString()).isIn("queued", "running");
            assertThat(eventTypes(id)).doesNotContain("fal_webhook");
        }
        finally {
            receivedFalWebhooks.start();
        }

        awaitApplied(id);
        assertThat(api.get("/v1/trainings/" + id, key).json().get("status").asString()).isEqualTo("succeeded");
        assertThat(eventTypes(id).stream().filter("fal_webhook"::equals)).hasSize(1);
    }

    @Test
    void refusesADeliveryWithA503WhileTheInstanceReceivesAsManyAsItTakes() throws InterruptedException {
        JsonNode training = runningTraining();
        String id = training.get("id").asString();
        String requestId = training.get("fal_request_id").asString();
        String body = ok(requestId);
        Map<String, String> headers = FakeFalWebhooks.asMap(FAL_WEBHOOKS.sign(requestId, body, Instant.now()));
        // Deliveries that have taken every place and are still being received.
        CountDownLatch taken = new CountDownLatch(1);
        CountDownLatch leave = new CountDownLatch(1);
        Thread holders = Thread.ofVirtual().start(() -> occupy(properties.falWebhooksInFlight(), taken, leave));
        taken.await();
        try {
            Api.Response busy = deliver(id, body, headers);

            assertThat(busy.status()).isEqualTo(503);
            assertThat(busy.header("Retry-After")).isEqualTo("1");
            assertThat(busy.header("Content-Type")).startsWith("application/problem+json");
            assertThat(busy.json().get("type").asString()).endsWith("/service-unavailable");
            assertThat(kept(id)).isZero();
            // A forgery is still told apart at once: it takes no place.
            assertRefused(api.post("/fal/webhooks/" + id + "/AAAAAAAAAAAAAAAAAAAAAA", null, body, headers));
        }
        finally {
            leave.countDown();
            holders.join();
        }

        // fal delivers again.
        assertThat(deliver(id, body, headers).status()).isEqualTo(200);
        awaitApplied(id);
        assertThat(api.get("/v1/trainings/" + id, key).json().get("status").asString()).isEqualTo("succeeded");
    }

    /** Takes {@code places} places of the intake, one inside the other on this thread, until {@code leave}. */
    private void occupy(int places, CountDownLatch taken, CountDownLatch leave) {
        if (places == 0) {
            taken.countDown();
            await(leave);
            return;
        }
        intake.receive(() -> occupy(places - 1, taken, leave));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void failsWithFalsErrorOnAnErrorDelivery() {
        JsonNode training = runningTraining();
        String id = training.get("id").asString();
        String requestId = training.get("fal_request_id").asString();
        String body = error(requestId);

        assertThat(deliver(id, body, FakeFalWebhooks.asMap(FAL_WEBHOOKS.sign(requestId, body, Instant.now()))).status()).isEqualTo(200);
        awaitApplied(id);

        JsonNode failed = api.get("/v1/trainings/" + id, key).json();
        assertThat(failed.get("status").asString()).isEqualTo("failed");
        assertThat(failed.get("error").get("code").asString()).isEqualTo("fal_validation_error");
        assertThat(failed.get("error").get("message").asString()).isEqualTo("body.training_data_url: The archive holds no video clips");
        assertThat(failed.get("error").get("details").get(0).get("type").asString()).isEqualTo("value_error");
        assertThat(failed.get("output").isNull()).isTrue();
    }

    @Test
    void fetchesTheResultFromTheQueueWhenTheWebhookCouldNotCarryIt() {
        FAL.runDuration(Duration.ofSeconds(3));
        JsonNode training = runningTraining();
        String id = training.get("id").asString();
        String requestId = training.get("fal_request_id").asString();
        // Keeps the tracker from finding the completion first, as a slow backstop poll would.
        park(id);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> "COMPLETED".equals(FAL.state(requestId)));
        String body = """
                {"request_id": "%1$s", "gateway_request_id": "%1$s", "status": "OK", "payload": null,
                 "payload_error": "Response payload is not JSON serializable"}""".formatted(requestId);

        assertThat(deliver(id, body, FakeFalWebhooks.asMap(FAL_WEBHOOKS.sign(requestId, body, Instant.now()))).status()).isEqualTo(200);

        // Fetched after the report is applied, outside its transaction: no database connection waits on fal.
        JsonNode done = awaitTraining(key, id, t -> t.get("status").asString().equals("succeeded"));
        assertThat(done.get("output").get("lora_file").get("source_url").asString()).contains(requestId);
        assertThat(FAL.received()).anyMatch(c -> c.operation().equals(FakeFalServer.RESULT) && requestId.equals(c.requestId()));
        assertThat(events(id)).filteredOn(e -> e.get("type").asString().equals("fal_webhook")).singleElement()
                .satisfies(e -> assertThat(e.get("message").asString()).contains("without payload"));
    }

    @Test
    void cancelsARequestTheTrainingDoesNotFollowAndLeavesTheTrainingAlone() {
        JsonNode training = runningTraining();
        String id = training.get("id").asString();
        String requestId = training.get("fal_request_id").asString();
        // A second copy at fal, as an instance that died inside its submit call would have left behind.
        String duplicate = submitDirectlyToFal();
        String body = ok(duplicate);

        assertThat(deliver(id, body, FakeFalWebhooks.asMap(FAL_WEBHOOKS.sign(duplicate, body, Instant.now()))).status()).isEqualTo(200);
        awaitApplied(id);

        JsonNode unaffected = api.get("/v1/trainings/" + id, key).json();
        assertThat(unaffected.get("status").asString()).isIn("queued", "running");
        assertThat(unaffected.get("fal_request_id").asString()).isEqualTo(requestId);
        assertThat(unaffected.get("output").isNull()).isTrue();
        assertThat(events(id)).filteredOn(e -> e.get("type").asString().equals("duplicate_request")).singleElement()
                .satisfies(e -> assertThat(e.get("message").asString()).contains(duplicate));
        // The duplicate's cancel is recorded with it and sent by whichever instance claims it, until fal confirms.
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.sql("select cancel_outcome from fal_orphan where request_id = ?")
                .param(duplicate).query(String.class).optional().isPresent());
        assertThat(FAL.received()).anyMatch(c -> c.operation().equals(FakeFalServer.CANCEL) && duplicate.equals(c.requestId()))
                .noneMatch(c -> c.operation().equals(FakeFalServer.CANCEL) && requestId.equals(c.requestId()));
        assertThat(FAL.state(duplicate)).isEqualTo("COMPLETED");

        String own = ok(requestId);
        assertThat(deliver(id, own, FakeFalWebhooks.asMap(FAL_WEBHOOKS.sign(requestId, own, Instant.now()))).status()).isEqualTo(200);
        awaitApplied(id);
        assertThat(api.get("/v1/trainings/" + id, key).json().get("status").asString()).isEqualTo("succeeded");
    }

    @Test
    void adoptsTheRequestWhenItsWebhookArrivesBeforeTheSubmitAnswer() {
        // fal takes the request but answers after the 1 s read timeout: the gateway does not know the request id.
        FAL.delayNext(1, call -> call.operation().equals(FakeFalServer.SUBMIT) && url.equals(call.trainingDataUrl()),
                Duration.ofSeconds(2));
        String id = create(key, minimalRequest(url)).get("id").asString();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> eventTypes(id).contains("submit_unconfirmed"));
        // No second submit ever follows an unconfirmed one, so only fal's webhook can name the request.
        park(id);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> submissions().size() == 1);
        String requestId = submissions().getFirst().requestId();
        JsonNode waiting = api.get("/v1/trainings/" + id, key).json();
        assertThat(waiting.get("status").asString()).isEqualTo("pending");
        assertThat(waiting.get("fal_request_id").isNull()).isTrue();
        String body = ok(requestId);

        assertThat(deliver(id, body, FakeFalWebhooks.asMap(FAL_WEBHOOKS.sign(requestId, body, Instant.now()))).status()).isEqualTo(200);
        awaitApplied(id);

        JsonNode done = api.get("/v1/trainings/" + id, key).json();
        assertThat(done.get("status").asString()).isEqualTo("succeeded");
        assertThat(done.get("fal_request_id").asString()).isEqualTo(requestId);
        assertThat(done.get("submitted_at").isNull()).isFalse();
        assertThat(done.get("output").get("lora_file").isNull()).isFalse();
        assertThat(stateChanges(id)).containsExactly("pending", "queued", "succeeded");
        assertThat(eventTypes(id)).doesNotContain("duplicate_request", "submit_retried");
        assertThat(openJob(id)).isFalse();
        assertThat(submissions()).hasSize(1);
    }

    // --- deliveries ----------------------------------------------------------------------------------------------

    /** To the training's webhook URL, as the gateway gave it to fal with the submit. */
    private Api.Response deliver(String trainingId, String body, Map<String, String> headers) {
        return api.post("/fal/webhooks/" + trainingId + "/" + tokens.tokenFor(trainingId), null, body, headers);
    }

    /** Until the training's kept deliveries are applied: a delivery is answered once kept, and applied right after. */
    private void awaitApplied(String trainingId) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() -> kept(trainingId) == 0);
    }

    private long kept(String trainingId) {
        return jdbc.sql("select count(*) from fal_webhook_inbox where training_id = ?").param(trainingId).query(Long.class).single();
    }

    /** The same status, headers that matter and body: an unknown training is no different from a bad signature. */
    private static void assertRefusedLikeAForgery(Api.Response response, Api.Response forged) {
        assertRefused(response);
        for (String field : List.of("type", "title", "status", "detail")) {
            assertThat(response.json().get(field)).isEqualTo(forged.json().get(field));
        }
    }

    private static void assertRefused(Api.Response response) {
        assertThat(response.status()).as(response.text()).isEqualTo(401);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.json().get("type").asString()).endsWith("/unauthenticated");
    }

    private static String ok(String requestId) {
        return """
                {"request_id": "%1$s", "gateway_request_id": "%1$s", "status": "OK", "payload": {
                  "lora_file": {"url": "https://v3.fal.media/files/x/lora.safetensors", "content_type": "application/octet-stream",
                                "file_name": "lora.safetensors", "file_size": 163577856},
                  "config_file": {"url": "https://v3.fal.media/files/x/config.json", "content_type": "application/json",
                                  "file_name": "config.json", "file_size": 1024}}}""".formatted(requestId);
    }

    /** fal's documented shape of a failed run: the model's status code in {@code error}, its error body as payload. */
    private static String error(String requestId) {
        return """
                {"request_id": "%1$s", "gateway_request_id": "%1$s", "status": "ERROR", "error": "Invalid status code: 422",
                 "payload": {"detail": [{"loc": ["body", "training_data_url"], "msg": "The archive holds no video clips",
                                         "type": "value_error"}]}}""".formatted(requestId);
    }

    // --- the training and fal ------------------------------------------------------------------------------------

    private JsonNode runningTraining() {
        String id = create(key, minimalRequest(url)).get("id").asString();
        return awaitTraining(key, id, t -> !t.get("fal_request_id").isNull());
    }

    /** Moves the training's next tracker step an hour away, waiting for a moment its job is not claimed. */
    private void park(String id) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> jdbc.sql("""
                update tracking_job set due_at = now() + interval '1 hour' where training_id = ? and lease_owner is null""")
                .param(id).update() == 1);
    }

    private boolean openJob(String id) {
        return jdbc.sql("select count(*) from tracking_job where training_id = ?").param(id).query(Long.class).single() > 0;
    }

    private String submitDirectlyToFal() {
        var response = new Api(FAL.queueUrl().toString()).post("/" + FakeFalServer.ENDPOINT_ID, null,
                "{\"training_data_url\":\"" + url + "\",\"number_of_steps\":100}", Map.of("Authorization", "Key " + FAL_KEY));
        assertThat(response.status()).isEqualTo(200);
        return response.json().get("request_id").asString();
    }

    private List<FakeFalServer.Submission> submissions() {
        return FAL.submissions().stream().filter(s -> url.equals(s.input().path("training_data_url").asString())).toList();
    }

    private List<JsonNode> events(String id) {
        return api.timeline(key, id);
    }

    private List<String> eventTypes(String id) {
        return events(id).stream().map(e -> e.get("type").asString()).toList();
    }

    private List<String> stateChanges(String id) {
        return events(id).stream().filter(e -> e.get("type").asString().equals("state_changed"))
                .map(e -> e.get("status").asString()).toList();
    }
}
