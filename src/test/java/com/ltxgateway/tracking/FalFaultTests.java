package com.ltxgateway.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import com.ltxgateway.fal.FakeFalServer;
import com.ltxgateway.fal.FakeFalServer.Call;
import com.ltxgateway.fal.FakeFalWebhooks;
import com.ltxgateway.support.Api;
import com.ltxgateway.support.SteppedGatewayTestSupport;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import tools.jackson.databind.JsonNode;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * fal's faults, injected at {@link FakeFalServer} and aimed at one training each (by its training data URL), go
 * through the real adapter and tracker: transient ones are retried with backoff and shown on the timeline (that the
 * wait honours Retry-After is {@link TrackerScheduleTests}'s); a validation error fails the training at once; nothing
 * fails on a timer or on a guess (an outage, a refused key, a request fal says it does not know); a submit whose answer
 * is lost is never sent again until fal's webhook names it or an admin decides; cancels are sent until fal confirms
 * them. The tracker and the orphan cancels run round by round on a clock the test moves, so backoffs and "hours
 * later" take no real time; only fal's own timeouts and delays do.
 */
class FalFaultTests extends SteppedGatewayTestSupport {

    @Autowired
    private FalWebhookTokens tokens;

    private static final String NO_RUNNER = """
            {"detail": "No runner available", "error_type": "runner_scheduling_failure"}""";

    private String key;
    private String url;

    @BeforeEach
    void liveTeam() {
        key = newTeamKey("live");
        url = "https://data.example.com/faults/" + UUID.randomUUID() + ".zip";
    }

    @Test
    void retriesServerErrorsOnStatusAndStillSucceeds() {
        FAL.failNext(1, call(FakeFalServer.STATUS), 500, Map.of(), "{\"detail\": \"Internal Server Error\"}");
        FAL.failNext(1, call(FakeFalServer.STATUS), 503, Map.of("X-Fal-Error-Type", "runner_scheduling_failure"), NO_RUNNER);

        String id = create(key, minimalRequest(url)).get("id").asString();
        JsonNode done = stepUntilStatus(key, id, "succeeded");

        assertThat(done.get("output").get("lora_file").get("source_url").asString()).contains(done.get("fal_request_id").asString());
        assertThat(done.get("error").isNull()).isTrue();
        assertThat(falUnavailableEvents(id)).hasSize(2)
                .satisfiesExactly(first -> assertThat(first).contains("HTTP 500"),
                        second -> assertThat(second).contains("HTTP 503 runner_scheduling_failure"));
        assertThat(calls(FakeFalServer.STATUS)).hasSizeGreaterThanOrEqualTo(3);
        assertThat(submissions()).hasSize(1);
    }

    @Test
    void retriesAStatusCallThatTimesOut() {
        // Three times the read timeout: the adapter gives up long before the answer would come.
        FAL.delayNext(1, call(FakeFalServer.STATUS), Duration.ofSeconds(3));

        String id = create(key, minimalRequest(url)).get("id").asString();
        stepUntilStatus(key, id, "succeeded");

        assertThat(falUnavailableEvents(id)).singleElement().asString().contains("timeout after 1s");
        assertThat(calls(FakeFalServer.STATUS)).hasSizeGreaterThanOrEqualTo(2);
        assertThat(submissions()).hasSize(1);
    }

    @Test
    void neverSubmitsAgainWhenTheSubmitsAnswerIsLostAndTakesTheRequestFalsWebhookNames() {
        // fal takes the request, but answers after the 1 s read timeout: the gateway cannot know it has it.
        FAL.delayNext(1, call(FakeFalServer.SUBMIT), Duration.ofSeconds(2));

        ListAppender<ILoggingEvent> stepperLog = new ListAppender<>();
        stepperLog.start();
        Logger stepper = (Logger) LoggerFactory.getLogger(TrainingStepper.class);
        stepper.addAppender(stepperLog);
        String id;
        try {
            id = create(key, minimalRequest(url)).get("id").asString();
            stepUntil(() -> eventTypes(id).contains("submit_unconfirmed"));

            // An hour later, in steps longer than any poll interval, nothing is sent again however long fal takes to report.
            stepThrough(Duration.ofHours(1), Duration.ofMinutes(1));
        }
        finally {
            stepper.detachAppender(stepperLog);
        }
        // Whoever the alert on unconfirmed trainings sends finds the training, and why, in one warning.
        assertThat(stepperLog.list).filteredOn(line -> line.getLevel() == Level.WARN).singleElement()
                .satisfies(line -> assertThat(line.getFormattedMessage()).contains(id, "timeout after 1s", "not submitted again"));
        assertThat(calls(FakeFalServer.SUBMIT)).hasSize(1);
        JsonNode waiting = training(key, id);
        assertThat(waiting.get("status").asString()).isEqualTo("pending");
        assertThat(waiting.get("submit_unconfirmed_at").isNull()).isFalse();
        assertThat(events(id)).filteredOn(e -> e.get("type").asString().equals("submit_unconfirmed")).singleElement()
                .satisfies(e -> assertThat(e.get("message").asString()).contains("timeout after 1s").contains("not submitted again"));

        // fal's webhook names the request: the training adopts it and ends with its outcome.
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> submissions().size() == 1);
        String requestId = submissions().getFirst().requestId();
        assertThat(deliverFalWebhook(id, requestId, completed(requestId)).status()).isEqualTo(200);

        JsonNode done = stepUntilStatus(key, id, "succeeded");
        assertThat(done.get("fal_request_id").asString()).isEqualTo(requestId);
        assertThat(done.get("submit_unconfirmed_at").isNull()).isTrue();
        assertThat(calls(FakeFalServer.SUBMIT)).hasSize(1);
        assertThat(eventTypes(id)).doesNotContain("submit_retried", "duplicate_request");
    }

    @Test
    void aCancelOfAnUnconfirmedSubmitWaitsForEvidenceAndAnAdminsResubmitCancelsItBeforeItReachesFal() {
        FAL.delayNext(1, call(FakeFalServer.SUBMIT), Duration.ofSeconds(2));
        String id = create(key, minimalRequest(url)).get("id").asString();
        stepUntil(() -> eventTypes(id).contains("submit_unconfirmed"));

        var cancel = api.post("/v1/trainings/" + id + "/cancel", key, "");
        assertThat(cancel.status()).isEqualTo(202);
        // fal may run the request: it is not "canceled before fal accepted it", and nothing is submitted.
        assertThat(cancel.json().get("status").asString()).isEqualTo("pending");
        assertThat(cancel.json().get("cancel_requested_at").isNull()).isFalse();
        stepThrough(Duration.ofHours(1), Duration.ofMinutes(1));
        assertThat(training(key, id).get("status").asString()).isEqualTo("pending");

        // A team key may not decide this; an admin may, and it is audited.
        assertThat(api.post("/v1/admin/trainings/" + id + "/resubmit", key, "").status()).isEqualTo(404);
        var resubmit = api.post("/v1/admin/trainings/" + id + "/resubmit", ADMIN_KEY, "");
        assertThat(resubmit.status()).as(resubmit.text()).isEqualTo(202);

        JsonNode canceled = stepUntilStatus(key, id, "canceled");
        assertThat(canceled.get("fal_request_id").isNull()).isTrue();
        assertThat(calls(FakeFalServer.SUBMIT)).hasSize(1);
        assertThat(api.get("/v1/admin/audit-log?limit=20", ADMIN_KEY).json().get("data").valueStream()
                .anyMatch(e -> e.get("action").asString().equals("training.resubmitted") && e.get("target").asString().endsWith(id))).isTrue();
        var again = api.post("/v1/admin/trainings/" + id + "/resubmit", ADMIN_KEY, "");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().get("detail").asString()).contains("canceled");
    }

    @Test
    void anAdminsResubmitSubmitsAgainAndTheEarlierRequestTurningUpIsCanceledAsADuplicate() {
        FAL.delayNext(1, call(FakeFalServer.SUBMIT), Duration.ofSeconds(2));
        String id = create(key, minimalRequest(url)).get("id").asString();
        stepUntil(() -> eventTypes(id).contains("submit_unconfirmed"));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> submissions().size() == 1);
        String earlier = submissions().getFirst().requestId();

        assertThat(api.post("/v1/admin/trainings/" + id + "/resubmit", ADMIN_KEY, "").status()).isEqualTo(202);
        JsonNode done = stepUntilStatus(key, id, "succeeded");
        assertThat(done.get("fal_request_id").asString()).isNotEqualTo(earlier);
        assertThat(events(id)).filteredOn(e -> e.get("type").asString().equals("submit_retried")).singleElement()
                .satisfies(e -> assertThat(e.get("message").asString()).contains("decided that fal does not hold"));

        // The admin was wrong: fal reports the earlier request after all. It is recorded and canceled, the training kept.
        FAL.failNext(2, c -> c.operation().equals(FakeFalServer.CANCEL) && earlier.equals(c.requestId()), 503, Map.of(), NO_RUNNER);
        assertThat(deliverFalWebhook(id, earlier, completed(earlier)).status()).isEqualTo(200);
        stepUntil(() -> orphan(earlier).map(o -> "ALREADY_COMPLETED".equals(o.path("cancel").asString())).orElse(false));
        JsonNode orphan = orphan(earlier).orElseThrow();
        assertThat(orphan.get("training_id").asString()).isEqualTo(id);
        assertThat(orphan.get("found_by").asString()).isEqualTo("fal_webhook");
        assertThat(FAL.received().stream().filter(c -> c.operation().equals(FakeFalServer.CANCEL) && earlier.equals(c.requestId())))
                .as("the cancel is sent again until fal confirms it").hasSize(3);
        assertThat(training(key, id).get("status").asString()).isEqualTo("succeeded");
    }

    @Test
    void failsAtOnceWithFalsDetailsWhenFalRejectsTheInput() {
        String detail = """
                [{"loc": ["body", "training_data_url"], "msg": "The archive holds images; this mode trains on video clips only",
                  "type": "value_error"}]""";
        FAL.failNext(1, call(FakeFalServer.SUBMIT), 422, Map.of("X-Fal-Retryable", "false"), "{\"detail\": " + detail + "}");

        String id = create(key, minimalRequest(url)).get("id").asString();
        JsonNode failed = stepUntilStatus(key, id, "failed");

        JsonNode error = failed.get("error");
        assertThat(error.get("code").asString()).isEqualTo("fal_validation_error");
        assertThat(error.get("message").asString())
                .isEqualTo("body.training_data_url: The archive holds images; this mode trains on video clips only");
        assertThat(error.get("details")).isEqualTo(Api.JSON.readTree(detail));
        assertThat(failed.get("fal_request_id").isNull()).isTrue();
        assertThat(failed.get("finished_at").isNull()).isFalse();
        // Failed is terminal and its job is gone with it, so no later step can submit again.
        assertThat(calls(FakeFalServer.SUBMIT)).hasSize(1);
        assertThat(submissions()).isEmpty();
        assertThat(falUnavailableEvents(id)).isEmpty();
        assertThat(stateChanges(id)).containsExactly("pending", "failed");
    }

    @Test
    void aPendingTrainingWaitsWhileFalStaysDownAndNothingFailsOnATimer() {
        FAL.failNext(12, call(FakeFalServer.SUBMIT), 503, Map.of("X-Fal-Error-Type", "runner_scheduling_failure"), NO_RUNNER);

        String id = create(key, minimalRequest(url)).get("id").asString();
        JsonNode waiting = stepUntilTraining(key, id, t -> !t.get("fal_unreachable_since").isNull());
        assertThat(waiting.get("status").asString()).isEqualTo("pending");
        // A day, longer than any deadline would be: it keeps waiting, visibly, unreachable since the first failure.
        for (int quarter = 0; quarter < 4; quarter++) {
            clock.advance(Duration.ofHours(6));
            runDueWork();
            JsonNode stillWaiting = training(key, id);
            assertThat(stillWaiting.get("status").asString()).isEqualTo("pending");
            assertThat(stillWaiting.get("fal_unreachable_since")).isEqualTo(waiting.get("fal_unreachable_since"));
        }

        JsonNode done = stepUntilStatus(key, id, "succeeded");
        assertThat(done.get("fal_unreachable_since").isNull()).isTrue();
        assertThat(falUnavailableEvents(id)).hasSizeGreaterThanOrEqualTo(12).allMatch(m -> m.contains("HTTP 503"));
        assertThat(submissions()).hasSize(1);
    }

    @Test
    void aKeyFalRefusesForARunningTrainingIsAlertedAndFailsNothing() {
        String id = create(key, minimalRequest(url)).get("id").asString();
        // The submit alone: fal would answer the first poll that the run is over.
        assertThat(tracker.runOnce()).isOne();
        assertThat(training(key, id).get("fal_request_id").isNull()).isFalse();
        FAL.failNext(6, call(FakeFalServer.STATUS), 401, Map.of(), "{\"detail\": \"Invalid authorization\"}");
        FAL.failNext(3, call(FakeFalServer.STATUS), 404, Map.of(), "{\"detail\": \"Request not found\"}");

        JsonNode refused = stepUntilTraining(key, id, t -> !t.get("fal_unreachable_since").isNull());
        assertThat(refused.get("status").asString()).isIn("queued", "running");
        JsonNode done = stepUntilStatus(key, id, "succeeded");

        assertThat(done.get("fal_unreachable_since").isNull()).isTrue();
        assertThat(falUnavailableEvents(id)).anyMatch(m -> m.contains("refused the gateway's key") && m.contains("FAL_KEY"))
                .anyMatch(m -> m.contains("HTTP 404: fal does not know the request"));
        assertThat(stateChanges(id)).doesNotContain("failed");
    }

    @Test
    void aCancelIsSentAgainUntilFalConfirmsIt() {
        FAL.runDuration(Duration.ofSeconds(30));
        String id = create(key, minimalRequest(url)).get("id").asString();
        String requestId = stepUntilTraining(key, id, t -> !t.get("fal_request_id").isNull()).get("fal_request_id").asString();
        FAL.failNext(3, call(FakeFalServer.CANCEL), 503, Map.of(), NO_RUNNER);

        assertThat(api.post("/v1/trainings/" + id + "/cancel", key, "").status()).isEqualTo(202);

        stepUntilStatus(key, id, "canceled");
        assertThat(calls(FakeFalServer.CANCEL)).hasSize(4);
        assertThat(FAL.state(requestId)).isEqualTo("COMPLETED");
        assertThat(falUnavailableEvents(id)).hasSize(3);
    }

    private Api.Response deliverFalWebhook(String trainingId, String requestId, String body) {
        return api.post("/fal/webhooks/" + trainingId + "/" + tokens.tokenFor(trainingId), null, body,
                FakeFalWebhooks.asMap(FAL_WEBHOOKS.sign(requestId, body, clock.instant())));
    }

    /** Moves the clock on {@code step} at a time for {@code span}, running what falls due after each step. */
    private void stepThrough(Duration span, Duration step) {
        for (Duration moved = Duration.ZERO; moved.compareTo(span) < 0; moved = moved.plus(step)) {
            clock.advance(step);
            runDueWork();
        }
    }

    /** What fal posts when the request completed; the outputs are the fake's. */
    private static String completed(String requestId) {
        return """
                {"request_id": "%1$s", "gateway_request_id": "%1$s", "status": "OK", "payload": {
                  "lora_file": {"url": "https://v3.fal.media/files/fake/%1$s/lora.safetensors", "file_name": "lora.safetensors"},
                  "config_file": {"url": "https://v3.fal.media/files/fake/%1$s/config.json", "file_name": "config.json"}}}"""
                .formatted(requestId);
    }

    private java.util.Optional<JsonNode> orphan(String requestId) {
        return api.get("/v1/admin/fal/orphans?limit=100", ADMIN_KEY).json().get("data").valueStream()
                .filter(o -> requestId.equals(o.get("request_id").asString())).findFirst();
    }

    private List<String> eventTypes(String id) {
        return events(id).stream().map(e -> e.get("type").asString()).toList();
    }

    /** Calls of this kind for this test's training only, whatever else the shared server is serving. */
    private Predicate<Call> call(String operation) {
        String mine = url;
        return call -> call.operation().equals(operation) && mine.equals(call.trainingDataUrl());
    }

    private List<Call> calls(String operation) {
        return FAL.received().stream().filter(call(operation)).toList();
    }

    private List<FakeFalServer.Submission> submissions() {
        return FAL.submissions().stream().filter(s -> url.equals(s.input().path("training_data_url").asString())).toList();
    }

    private List<JsonNode> events(String id) {
        var response = api.get("/v1/trainings/" + id + "/events", key);
        assertThat(response.status()).isEqualTo(200);
        return response.json().get("data").valueStream().toList();
    }

    private List<String> falUnavailableEvents(String id) {
        return events(id).stream().filter(e -> e.get("type").asString().equals("fal_unavailable"))
                .map(e -> e.get("message").asString()).toList();
    }

    private List<String> stateChanges(String id) {
        return events(id).stream().filter(e -> e.get("type").asString().equals("state_changed"))
                .map(e -> e.get("status").asString()).toList();
    }
}
