package com.ltxgateway.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import com.ltxgateway.fal.FakeFalServer;
import com.ltxgateway.fal.FakeFalServer.Call;
import com.ltxgateway.support.Api;
import com.ltxgateway.support.GatewayTestSupport;

import tools.jackson.databind.JsonNode;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * fal's faults, injected at {@link FakeFalServer} and aimed at one training each (by its training data URL), go
 * through the real adapter and tracker: transient ones are retried with backoff, honouring Retry-After, and shown
 * on the timeline; a validation error fails the training at once; an outage longer than the retry deadline
 * (6 s here) fails it with {@code fal_unavailable}.
 */
class FalFaultTests extends GatewayTestSupport {

    private static final String NO_RUNNER = """
            {"detail": "No runner available", "error_type": "runner_scheduling_failure"}""";

    private String key;
    private String url;

    @BeforeEach
    void liveTeamAndCleanFal() {
        key = newTeamKey("live");
        url = "https://data.example.com/faults/" + UUID.randomUUID() + ".zip";
        // The server is shared with other test classes: make sure nothing they set slows or fails these runs.
        FAL.queueDuration(Duration.ZERO).runDuration(Duration.ofMillis(300)).failRunsWhen(null, 0, null, null);
        FAL.rejectSubmissions(null);
    }

    @Test
    void waitsAsLongAsRetryAfterSaysBeforeSubmittingAgain() {
        FAL.failNext(1, call(FakeFalServer.SUBMIT), 429, Map.of("Retry-After", "2"), "{\"detail\": \"Rate limit exceeded\"}");

        String id = create(key, minimalRequest(url)).get("id").asString();
        JsonNode done = awaitStatus(key, id, "succeeded");

        List<Call> submits = calls(FakeFalServer.SUBMIT);
        assertThat(submits).hasSize(2);
        List<FakeFalServer.Submission> accepted = submissions();
        assertThat(accepted).singleElement().satisfies(s -> assertThat(s.requestId()).isEqualTo(done.get("fal_request_id").asString()));
        // The backoff alone would have retried after 100-300 ms. A little slack for the clocks of two processes
        // when PostgreSQL runs in a container.
        Instant limited = submits.getFirst().receivedAt();
        assertThat(Duration.between(limited, accepted.getFirst().receivedAt())).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
        assertThat(falUnavailableEvents(id)).singleElement().asString().contains("HTTP 429").contains("retrying in 2000 ms");
    }

    @Test
    void retriesServerErrorsOnStatusAndStillSucceeds() {
        FAL.failNext(1, call(FakeFalServer.STATUS), 500, Map.of(), "{\"detail\": \"Internal Server Error\"}");
        FAL.failNext(1, call(FakeFalServer.STATUS), 503, Map.of("X-Fal-Error-Type", "runner_scheduling_failure"), NO_RUNNER);

        String id = create(key, minimalRequest(url)).get("id").asString();
        JsonNode done = awaitStatus(key, id, "succeeded");

        assertThat(done.get("output").get("lora_file").get("url").asString()).contains(done.get("fal_request_id").asString());
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
        awaitStatus(key, id, "succeeded");

        assertThat(falUnavailableEvents(id)).singleElement().asString().contains("timeout after 1s");
        assertThat(calls(FakeFalServer.STATUS)).hasSizeGreaterThanOrEqualTo(2);
        assertThat(submissions()).hasSize(1);
    }

    @Test
    void doesNotSubmitAgainAtOnceWhenTheSubmitsAnswerIsLost() {
        // fal takes the request, but answers after the 1 s read timeout: the gateway cannot know it has it.
        FAL.delayNext(1, call(FakeFalServer.SUBMIT), Duration.ofSeconds(2));

        String id = create(key, minimalRequest(url)).get("id").asString();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> events(id).stream()
                .anyMatch(e -> e.get("type").asString().equals("submit_unconfirmed")));

        JsonNode waiting = api.get("/v1/trainings/" + id, key).json();
        assertThat(waiting.get("status").asString()).isEqualTo("pending");
        // Within the 3 s wait nothing is sent again, although fal's first copy is only now arriving.
        Awaitility.await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3))
                .until(() -> calls(FakeFalServer.SUBMIT).size() == 1);
        assertThat(events(id)).filteredOn(e -> e.get("type").asString().equals("submit_unconfirmed")).singleElement()
                .satisfies(e -> assertThat(e.get("message").asString()).contains("timeout after 1s").contains("waits PT3S"));

        // After the wait, with no word from fal, the training is submitted again and goes on.
        awaitStatus(key, id, "succeeded");
        assertThat(calls(FakeFalServer.SUBMIT)).hasSize(2);
        assertThat(events(id)).extracting(e -> e.get("type").asString()).contains("submit_retried");
    }

    @Test
    void failsAtOnceWithFalsDetailsWhenFalRejectsTheInput() {
        String detail = """
                [{"loc": ["body", "training_data_url"], "msg": "The archive holds images; this mode trains on video clips only",
                  "type": "value_error"}]""";
        FAL.failNext(1, call(FakeFalServer.SUBMIT), 422, Map.of("X-Fal-Retryable", "false"), "{\"detail\": " + detail + "}");

        String id = create(key, minimalRequest(url)).get("id").asString();
        JsonNode failed = awaitStatus(key, id, "failed");

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
    void failsWithFalUnavailableOnceFalStaysDownPastTheRetryDeadline() {
        // Far more than the attempts that fit into the 6 s deadline; unused ones only ever match this URL.
        FAL.failNext(100, call(FakeFalServer.SUBMIT), 503, Map.of("X-Fal-Error-Type", "runner_scheduling_failure"), NO_RUNNER);

        String id = create(key, minimalRequest(url)).get("id").asString();
        JsonNode failed = awaitStatus(key, id, "failed");

        assertThat(failed.get("error").get("code").asString()).isEqualTo("fal_unavailable");
        assertThat(failed.get("error").get("message").asString()).contains("HTTP 503 runner_scheduling_failure");
        List<Call> attempts = calls(FakeFalServer.SUBMIT);
        assertThat(attempts).hasSizeGreaterThanOrEqualTo(3);
        assertThat(submissions()).isEmpty();
        // Every attempt but the last one, which found the deadline passed, was announced as a retry.
        assertThat(falUnavailableEvents(id)).hasSize(attempts.size() - 1);
        Instant finished = Instant.parse(failed.get("finished_at").asString());
        assertThat(Duration.between(attempts.getFirst().receivedAt(), finished)).isGreaterThanOrEqualTo(Duration.ofMillis(5900));
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
