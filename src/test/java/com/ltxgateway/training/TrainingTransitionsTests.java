package com.ltxgateway.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.ltxgateway.support.MutableClock;
import com.ltxgateway.support.TeamRows;
import com.ltxgateway.support.TestPostgres;
import com.ltxgateway.training.TrainingTransitions.Acceptance;
import com.ltxgateway.training.TrainingTransitions.TrackedTraining;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jdbc.test.autoconfigure.AutoConfigureTestDatabase;
import org.springframework.boot.jdbc.test.autoconfigure.JdbcTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.event.ApplicationEvents;
import org.springframework.test.context.event.RecordApplicationEvents;

/**
 * The one path of every state change, creation included, and the timeline's notes, on a real PostgreSQL with a clock
 * the test sets: what each change writes, what it puts on the timeline, what it publishes, and what it refuses.
 */
@JdbcTest
@AutoConfigureTestDatabase(replace = AutoConfigureTestDatabase.Replace.NONE)
@Import({ TrainingTransitions.class, LockedTrainings.class, TrainingRows.class, TrainingTimeline.class, TimelineEntries.class, FairTurns.class, TrainingTransitionsTests.Beans.class })
@EnableConfigurationProperties(FairTurnProperties.class)
@RecordApplicationEvents
class TrainingTransitionsTests {

    private static final String DATABASE = TestPostgres.newDatabase("transitions");
    private static final Fence CLAIM_LOST = () -> {
        throw new IllegalStateException("claim lost");
    };

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> DATABASE);
        registry.add("spring.datasource.username", () -> TestPostgres.server().username());
        registry.add("spring.datasource.password", () -> TestPostgres.server().password());
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class Beans {

        @Bean
        MutableClock clock() {
            return new MutableClock(Instant.parse("2026-05-04T10:00:00Z"));
        }

        @Bean
        JsonMapper json() {
            return JsonMapper.builder().build();
        }
    }

    @Autowired
    TrainingTransitions transitions;

    @Autowired
    TrainingTimeline timeline;

    @Autowired
    LockedTrainings locked;

    @Autowired
    TrainingRows rows;

    @Autowired
    TimelineEntries entries;

    @Autowired
    MutableClock clock;

    @Autowired
    JsonMapper json;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    ApplicationEvents events;

    private UUID team;

    @BeforeEach
    void team() {
        team = TeamRows.insert(jdbc);
    }

    @Test
    void aCreatedTrainingIsStoredPendingWithItsFirstEntryAndItsCreationPublished() {
        Training created = create("live");

        Training stored = stored(created.id());
        assertThat(stored.status()).isEqualTo(TrainingStatus.PENDING);
        assertThat(stored.input()).contains("https://example.com/clips.zip");
        assertThat(stored.estimatedCostUsd()).isEqualByComparingTo("0.24");
        assertThat(stored.unitPriceUsd()).isEqualByComparingTo("0.0024");
        assertThat(stored.createdAt()).isEqualTo(clock.instant());
        assertThat(entries.of(created.id())).containsExactly(
                new TimelineEntry("state_changed", clock.instant(), "pending", "created by key ci"));
        assertThat(events.stream(TrainingCreated.class)).containsExactly(new TrainingCreated(created.id(), "live"));
        assertThat(events.stream(TrainingStatusChanged.class)).isEmpty();
    }

    @Test
    void aChangeIsWrittenPutOnTheTimelineAndPublishedOnceARepeatChangesNothing() {
        String id = create("live").id();
        clock.advance(Duration.ofSeconds(5));
        Instant at = clock.instant();

        transitions.running(id, Fence.NONE);
        clock.advance(Duration.ofSeconds(5));
        transitions.running(id, Fence.NONE);
        transitions.queued(id, Fence.NONE, 3);

        assertThat(stored(id).startedAt()).isEqualTo(at);
        assertThat(entries.of(id)).hasSize(2).last()
                .isEqualTo(new TimelineEntry("state_changed", at, "running", "fal reports IN_PROGRESS"));
        assertThat(events.stream(TrainingStatusChanged.class)).containsExactly(
                new TrainingStatusChanged(id, team, TrainingStatus.PENDING, TrainingStatus.RUNNING, at, null));
    }

    @Test
    void aTrackedTrainingTellsWhetherAReadingWouldChangeIt() {
        String id = create("live").id();
        transitions.queued(id, Fence.NONE, 3);

        TrainingTransitions.TrackedTraining queued = transitions.find(id).orElseThrow();

        assertThat(queued.queuePosition()).isEqualTo(3);
        assertThat(queued.alreadyShows(TrainingStatus.QUEUED, 3)).isTrue();
        assertThat(queued.alreadyShows(TrainingStatus.QUEUED, 2)).isFalse();
        assertThat(queued.alreadyShows(TrainingStatus.RUNNING, null)).isFalse();
        transitions.running(id, Fence.NONE);
        assertThat(transitions.find(id).orElseThrow().alreadyShows(TrainingStatus.RUNNING, null)).isTrue();
    }

    @Test
    void aCallerWhoseFenceDoesNotHoldChangesNothing() {
        String id = create("live").id();

        assertThatThrownBy(() -> transitions.canceled(id, CLAIM_LOST, "canceled")).hasMessage("claim lost");
        assertThatThrownBy(() -> timeline.falUnavailable(id, CLAIM_LOST, "fal unavailable")).hasMessage("claim lost");

        assertThat(stored(id).status()).isEqualTo(TrainingStatus.PENDING);
        assertThat(entries.of(id)).hasSize(1);
        assertThat(events.stream(TrainingStatusChanged.class)).isEmpty();
    }

    @Test
    void aCancelOfATrainingFalCannotHoldCancelsItAtOnce() {
        String id = create("live").id();

        Training canceled = transitions.requestCancel(id, team::equals, "key ci");

        assertThat(canceled.status()).isEqualTo(TrainingStatus.CANCELED);
        assertThat(entries.of(id)).last().satisfies(entry -> assertThat(entry.message()).isEqualTo("canceled by key ci before submission"));
        assertThat(events.stream(TrainingCancelRequested.class)).isEmpty();
        assertThatThrownBy(() -> transitions.requestCancel(id, team::equals, "key ci")).isInstanceOf(TrainingAlreadyFinished.class);
    }

    @Test
    void aCancelOfATrainingFalMayHoldIsRequestedOnceForTheTracker() {
        String id = create("live").id();
        int attempt = transitions.beginSubmission(id, Fence.NONE).permitted().orElseThrow().attempt();

        Training requested = transitions.requestCancel(id, team::equals, "key ci");
        transitions.requestCancel(id, team::equals, "key ci");

        assertThat(requested.status()).isEqualTo(TrainingStatus.PENDING);
        assertThat(requested.cancelRequestedAt()).isEqualTo(clock.instant());
        assertThat(entries.of(id)).filteredOn(entry -> entry.type().equals("cancel_requested")).singleElement()
                .isEqualTo(new TimelineEntry("cancel_requested", clock.instant(), "pending", "cancel requested by key ci"));
        assertThat(events.stream(TrainingCancelRequested.class)).containsExactly(new TrainingCancelRequested(id));
        // Once fal accepts the request, the tracker is told to cancel it there.
        assertThat(transitions.accepted(id, attempt, new FalRequest("req-1", null, null, null), 0)).isEqualTo(Acceptance.TRACK_AND_CANCEL);
    }

    @Test
    void anotherTeamsTrainingIsNotFoundByItsCancel() {
        String id = create("live").id();

        assertThatThrownBy(() -> transitions.requestCancel(id, other -> false, "key other")).isInstanceOf(TrainingNotFound.class);

        assertThat(stored(id).cancelRequestedAt()).isNull();
    }

    @Test
    void aPendingTrainingWithACancelRequestedIsCanceledInsteadOfSubmitted() {
        String id = create("live").id();
        locked.lock(id, Fence.NONE).requestCancel(clock.instant());

        assertThat(transitions.beginSubmission(id, Fence.NONE).permitted()).isEmpty();

        assertThat(stored(id).status()).isEqualTo(TrainingStatus.CANCELED);
        assertThat(entries.of(id)).last().satisfies(entry -> assertThat(entry.message()).isEqualTo("canceled before it was submitted to fal"));
    }

    @Test
    void theAnswerOfAnAttemptNoLongerOpenIsAnUnwantedRequest() {
        String id = create("live").id();
        int attempt = transitions.beginSubmission(id, Fence.NONE).permitted().orElseThrow().attempt();
        transitions.accepted(id, attempt, new FalRequest("req-1", null, null, null), 0);

        assertThat(transitions.accepted(id, attempt, new FalRequest("req-2", null, null, null), 0)).isEqualTo(Acceptance.CANCEL_UNWANTED);

        assertThat(events.stream(UnwantedFalRequest.class)).containsExactly(
                new UnwantedFalRequest(id, "live", "req-2", UnwantedFalRequest.SUBMIT_ANSWER));
        assertThat(entries.of(id)).last().satisfies(entry -> assertThat(entry.type()).isEqualTo("duplicate_request"));
        assertThat(stored(id).falRequestId()).isEqualTo("req-1");
    }

    @Test
    void evidenceForAnUnconfirmedSubmitSettlesIt() {
        String id = create("live").id();
        int attempt = transitions.beginSubmission(id, Fence.NONE).permitted().orElseThrow().attempt();
        timeline.submitUnconfirmed(id, attempt, Fence.NONE, "fal's answer was lost");
        assertThat(transitions.find(id).orElseThrow().submission()).isEqualTo(SubmissionState.UNCONFIRMED);

        assertThat(transitions.adoptListed(id, "req-listed", clock.instant())).isTrue();

        assertThat(transitions.find(id).orElseThrow().falRequest()).isEqualTo(new FalRequest("req-listed", null, null, null));
        assertThat(events.stream(SubmissionSettled.class)).containsExactly(new SubmissionSettled(id));
        assertThat(transitions.adoptListed(id, "req-other", clock.instant())).as("settled already").isFalse();
        assertThat(entries.of(id)).extracting(TimelineEntry::type)
                .containsExactly("state_changed", "submit_unconfirmed", "state_changed");
    }

    @Test
    void falsWebhookForASubmitInFlightAdoptsItsRequestAndAnswersWithTheTrainingAsStored() {
        String id = create("live").id();
        transitions.beginSubmission(id, Fence.NONE).permitted().orElseThrow();
        timeline.logs(id, 0, List.of(new LogLine("Preparing dataset", null)), 1);
        timeline.falUnavailable(id, Fence.NONE, "fal unavailable (HTTP 503); retrying in 2000 ms");

        TrackedTraining adopted = transitions.falReported(id, "req-1", "OK").orElseThrow();

        assertThat(adopted).isEqualTo(transitions.find(id).orElseThrow());
        assertThat(adopted.falRequest()).isEqualTo(new FalRequest("req-1", null, null, null));
        assertThat(adopted.submission()).isEqualTo(SubmissionState.ACCEPTED);
        assertThat(adopted.logLines()).isEqualTo(1);
        assertThat(adopted.falUnreachable()).isTrue();

        locked.lock(id, Fence.NONE).requestCancel(clock.instant());
        TrackedTraining again = transitions.falReported(id, "req-1", "OK").orElseThrow();
        assertThat(again).isEqualTo(transitions.find(id).orElseThrow());
        assertThat(again.cancelRequested()).isTrue();
        assertThat(transitions.falReported(id, "req-2", "OK")).as("a request it does not follow").isEmpty();
        assertThat(entries.of(id)).filteredOn(entry -> entry.type().equals("fal_webhook")).hasSize(3);
    }

    @Test
    void anAdminsResubmitNeedsAnUnconfirmedSubmit() {
        String id = create("live").id();
        assertThatThrownBy(() -> transitions.resubmit(id, "admin")).isInstanceOf(TrainingResubmitRefused.class);
        int attempt = transitions.beginSubmission(id, Fence.NONE).permitted().orElseThrow().attempt();
        timeline.submitUnconfirmed(id, attempt, Fence.NONE, "fal's answer was lost");

        Training resubmitted = transitions.resubmit(id, "admin");

        assertThat(resubmitted.submission()).isEqualTo(SubmissionState.NONE);
        assertThat(entries.of(id)).last().satisfies(entry -> assertThat(entry.type()).isEqualTo("submit_retried"));
        assertThat(events.stream(SubmissionSettled.class)).containsExactly(new SubmissionSettled(id));
    }

    @Test
    void aCompletionWithoutALoraOrConfigFileFailsTheTraining() {
        String id = create("live").id();
        ObjectNode output = json.createObjectNode();
        output.putObject("lora_file").put("url", "https://v3.fal.media/l.safetensors");

        transitions.completedWithOutput(id, Fence.NONE, output);

        Training failed = stored(id);
        assertThat(failed.status()).isEqualTo(TrainingStatus.FAILED);
        assertThat(json.readTree(failed.error()).get("code").asString()).isEqualTo("fal_incomplete_output");
        assertThat(json.readTree(failed.error()).get("details")).isEqualTo(output);
    }

    @Test
    void anErrorEndsATrainingWhoseCancelWasRequestedAsCanceled() {
        String failing = create("live").id();
        String canceling = create("live").id();
        transitions.beginSubmission(canceling, Fence.NONE);
        transitions.requestCancel(canceling, team::equals, "key ci");
        TrainingError error = new TrainingError("request_canceled", "Request was cancelled", null);

        transitions.completedWithError(failing, Fence.NONE, error);
        transitions.completedWithError(canceling, Fence.NONE, error);

        assertThat(stored(failing).status()).isEqualTo(TrainingStatus.FAILED);
        assertThat(stored(canceling).status()).isEqualTo(TrainingStatus.CANCELED);
        assertThat(entries.of(canceling)).last().satisfies(entry ->
                assertThat(entry.message()).isEqualTo("canceled at fal: Request was cancelled"));
    }

    @Test
    void fallsLogLinesAreStoredOnceWhateverTheOverlapOfTheReadings() {
        String id = create("live").id();
        List<LogLine> first = List.of(new LogLine("Preparing dataset", "2026-05-04T10:00:01Z"), new LogLine("Step 1", null));

        timeline.logs(id, 0, first, 2);
        timeline.logs(id, 0, List.of(first.get(0), first.get(1), new LogLine("Step 2", null)), 3);

        assertThat(entries.of(id)).filteredOn(entry -> entry.type().equals("log")).extracting(TimelineEntry::message)
                .containsExactly("Preparing dataset", "Step 1", "Step 2");
        assertThat(transitions.find(id).orElseThrow().logLines()).isEqualTo(3);
        assertThat(events.stream(TrainingStatusChanged.class)).isEmpty();
    }

    @Test
    void falsFaultsAreNotedWithTheFirstOnesTimeAsUnreachableSince() {
        String id = create("live").id();
        Instant first = clock.instant();

        timeline.falUnavailable(id, Fence.NONE, "fal unavailable (HTTP 503); retrying in 2000 ms");
        clock.advance(Duration.ofSeconds(2));
        timeline.falUnavailable(id, Fence.NONE, "fal unavailable (HTTP 503); retrying in 4000 ms");

        assertThat(stored(id).falUnreachableSince()).isEqualTo(first);
        assertThat(entries.of(id)).filteredOn(entry -> entry.type().equals("fal_unavailable")).hasSize(2);
        timeline.falReachable(id);
        assertThat(transitions.find(id).orElseThrow().falUnreachable()).isFalse();
        assertThat(stored(id).status()).isEqualTo(TrainingStatus.PENDING);
    }

    @Test
    void aWebhookDeliveryIsNotedWithTheDeliverysStatus() {
        String id = create("live").id();

        timeline.webhookDelivery(id, "pending", "training.queued to https://hooks.example/x: HTTP 500 in 3 ms (attempt 1)");

        assertThat(entries.of(id)).last().isEqualTo(new TimelineEntry("webhook_delivery", clock.instant(), "pending",
                "training.queued to https://hooks.example/x: HTTP 500 in 3 ms (attempt 1)"));
    }

    private Training create(String mode) {
        ObjectNode input = json.createObjectNode().put("training_data_url", "https://example.com/clips.zip").put("number_of_steps", 100);
        return transitions.create(team, mode, new TrainingRequest(input, 100, null, Map.of(), TrainingPriority.NORMAL, null), new BigDecimal("0.0024"), "key ci");
    }

    /** The training as its row holds it, with what the test's transaction changed so far written. */
    private Training stored(String id) {
        locked.flush();
        return rows.find(id).orElseThrow();
    }
}
