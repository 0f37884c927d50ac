package com.ltxgateway.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.ltxgateway.fal.FakeFalServer;
import com.ltxgateway.support.SteppedGatewayTestSupport;

import tools.jackson.databind.JsonNode;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The tracker's schedule on a clock the test moves: no loop runs by itself, so each test runs the tracker and the
 * simulator's webhooks round by round and sees exactly when work falls due. The simulator's requests follow the same
 * clock, so a sandbox run takes no real time at all.
 */
class TrackerScheduleTests extends SteppedGatewayTestSupport {

    private static final Duration QUEUE = SANDBOX_QUEUE;
    private static final Duration RUN = SANDBOX_RUN;

    @BeforeEach
    void falRunsLong() {
        FAL.queueDuration(Duration.ZERO).runDuration(Duration.ofMinutes(10));
    }

    @Test
    void aSandboxTrainingIsPolledQuicklyThenOnlyAsABackstopAndEndsThroughTheSimulatorsSignedWebhook() {
        String key = api.newTeam(ADMIN_KEY, "sandbox").key();
        String id = api.createTraining(key, minimalRequest("https://example.com/clips.zip")).get("id").asString();

        assertThat(tracker.runOnce()).as("the submit").isEqualTo(1);
        assertThat(status(key, id)).isEqualTo("queued");
        assertThat(tracker.runOnce()).as("nothing due before the first poll").isZero();

        clock.advance(Duration.ofSeconds(2));
        assertThat(tracker.runOnce()).isEqualTo(1);
        // Each wait is its interval less up to a fifth, at random, so that trainings submitted together drift apart.
        assertThat(dueIn(id)).as("slower while nothing changes, and faster so as a webhook reports the end")
                .isBetween(Duration.ofMillis(4_800), Duration.ofSeconds(6));

        clock.advance(QUEUE);
        assertThat(tracker.runOnce()).isEqualTo(1);
        assertThat(status(key, id)).isEqualTo("running");
        // Once the run is seen to have started, the next poll is the backstop: only the webhook can end it sooner.
        assertThat(pollIntervalWhileRunning(id)).isEqualTo(Duration.ofSeconds(60).toMillis());
        assertThat(dueIn(id)).isBetween(Duration.ofSeconds(48), Duration.ofSeconds(60));

        clock.advance(RUN);
        assertThat(tracker.runOnce()).isZero();
        assertThat(simulatorWebhooks.runOnce()).isEqualTo(1);
        assertThat(receivedFalWebhooks.runOnce()).as("the delivery, kept until applied").isEqualTo(1);

        JsonNode done = api.get("/v1/trainings/" + id, key).json();
        assertThat(done.get("status").asString()).isEqualTo("succeeded");
        assertThat(done.get("output").get("lora_file").get("source_url").asString()).contains("/sandbox/files/");
        assertThat(lastTwo(api.timeline(key, id))).satisfiesExactly(
                webhook -> assertThat(webhook.get("message").asString()).contains(done.get("fal_request_id").asString()).endsWith(": OK"),
                change -> assertThat(change.get("status").asString()).isEqualTo("succeeded"));
        assertThat(jdbc.sql("select webhook_attempts from sandbox_request where request_id = ? and webhook_sent_at is not null")
                .param(UUID.fromString(done.get("fal_request_id").asString())).query(Integer.class).single()).isEqualTo(1);
        assertThat(simulatorWebhooks.runOnce()).as("delivered once").isZero();
    }

    @Test
    void waitsAsLongAsRetryAfterSaysBeforeSubmittingAgain() {
        String key = api.newTeam(ADMIN_KEY, "live").key();
        String url = "https://data.example.com/schedule/" + UUID.randomUUID() + ".zip";
        FAL.failNext(1, call -> call.operation().equals(FakeFalServer.SUBMIT) && url.equals(call.trainingDataUrl()), 429,
                Map.of("Retry-After", "2"), "{\"detail\": \"Rate limit exceeded\"}");
        String id = api.createTraining(key, minimalRequest(url)).get("id").asString();

        assertThat(tracker.runOnce()).isEqualTo(1);
        // The backoff alone would have retried after 100-300 ms.
        clock.advance(Duration.ofMillis(1999));
        assertThat(tracker.runOnce()).isZero();
        assertThat(submitsOf(url)).hasSize(1);
        clock.advance(Duration.ofMillis(1));
        assertThat(tracker.runOnce()).isEqualTo(1);

        assertThat(submitsOf(url)).hasSize(2);
        List<FakeFalServer.Submission> accepted = FAL.submissions().stream()
                .filter(s -> url.equals(s.input().path("training_data_url").asString())).toList();
        JsonNode training = api.get("/v1/trainings/" + id, key).json();
        assertThat(accepted).singleElement().satisfies(s -> assertThat(s.requestId()).isEqualTo(training.get("fal_request_id").asString()));
        assertThat(training.get("fal_unreachable_since").isNull()).isTrue();
        assertThat(api.timeline(key, id)).filteredOn(e -> e.get("type").asString().equals("fal_unavailable"))
                .singleElement().satisfies(e -> assertThat(e.get("message").asString()).contains("HTTP 429").contains("retrying in 2000 ms"));
    }

    private String status(String key, String id) {
        return api.get("/v1/trainings/" + id, key).json().get("status").asString();
    }

    /** How long after the clock's now the training's job is due next. */
    private Duration dueIn(String id) {
        Timestamp due = jdbc.sql("select due_at from tracking_job where training_id = ?").param(id).query(Timestamp.class).single();
        return Duration.between(clock.instant(), due.toInstant());
    }

    private Long pollIntervalWhileRunning(String id) {
        return jdbc.sql("select poll_interval_ms from tracking_job where training_id = ? and last_fal_state = 'IN_PROGRESS'")
                .param(id).query(Long.class).optional().orElse(null);
    }

    private List<FakeFalServer.Call> submitsOf(String url) {
        return FAL.received().stream().filter(call -> call.operation().equals(FakeFalServer.SUBMIT) && url.equals(call.trainingDataUrl()))
                .toList();
    }

    private static List<JsonNode> lastTwo(List<JsonNode> events) {
        return events.subList(events.size() - 2, events.size());
    }
}
