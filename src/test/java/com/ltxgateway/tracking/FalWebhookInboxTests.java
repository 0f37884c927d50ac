package com.ltxgateway.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import com.ltxgateway.support.SteppedGatewayTestSupport;
import com.ltxgateway.tracking.FalWebhookInbox.ClaimedWebhook;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * fal's webhooks kept until an instance applies them, on a clock the test moves: the simulator's signed delivery of a
 * sandbox run goes through the real receiver, and the loop that applies kept deliveries is run round by round.
 */
class FalWebhookInboxTests extends SteppedGatewayTestSupport {

    private static final Duration LEASE = Duration.ofSeconds(60);

    @Autowired
    private FalWebhookInbox inbox;
    @Autowired
    private TransactionTemplate transactions;
    @Autowired
    private MeterRegistry meters;

    @Test
    void aDeliveryIsKeptUntilAppliedAndAnInstanceThatDiedApplyingItLeavesItToAnotherAfterItsLease() {
        String key = newTeamKey("sandbox");
        String id = create(key, minimalRequest("https://example.com/inbox.zip")).get("id").asString();
        assertThat(tracker.runOnce()).as("the submit").isEqualTo(1);
        clock.advance(SANDBOX_QUEUE.plus(SANDBOX_RUN));
        assertThat(simulatorWebhooks.runOnce()).as("the simulator's delivery, answered").isEqualTo(1);
        assertThat(status(key, id)).isEqualTo("queued");

        // An instance claims it and dies before applying it: nobody else touches it while its lease holds.
        List<ClaimedWebhook> dead = inbox.claim("dead-instance", 10, LEASE);
        assertThat(dead).singleElement().satisfies(webhook -> assertThat(webhook.trainingId()).isEqualTo(id));
        assertThat(receivedFalWebhooks.runOnce()).isZero();

        clock.advance(LEASE.plusSeconds(1));
        List<ClaimedWebhook> takenOver = inbox.claim("survivor", 10, LEASE);
        assertThat(takenOver).hasSize(1);
        // The dead instance's late removal names its own claim, not the survivor's: the delivery stays.
        transactions.executeWithoutResult(tx -> inbox.applied(dead.getFirst()));
        assertThat(kept(id)).isOne();
        assertThat(status(key, id)).isEqualTo("queued");

        clock.advance(LEASE.plusSeconds(1));
        assertThat(receivedFalWebhooks.runOnce()).as("applied once the survivor's lease ran out too").isEqualTo(1);
        assertThat(status(key, id)).isEqualTo("succeeded");
        assertThat(kept(id)).isZero();
        assertThat(api.timeline(key, id).stream().filter(e -> e.get("type").asString().equals("fal_webhook"))).hasSize(1);
    }

    @Test
    void aTrainingWhoseEndIsKeptIsNotPolledUntilTheReportIsApplied() {
        String key = newTeamKey("sandbox");
        String id = create(key, minimalRequest("https://example.com/inbox-kept.zip")).get("id").asString();
        assertThat(tracker.runOnce()).as("the submit").isEqualTo(1);
        clock.advance(SANDBOX_QUEUE.plus(SANDBOX_RUN));
        // Other tests' runs may end at this clock too: only this training's delivery is counted.
        assertThat(simulatorWebhooks.runOnce()).isPositive();
        assertThat(kept(id)).as("the simulator's delivery, kept").isOne();
        long polls = statusCalls();

        assertThat(tracker.runOnce()).as("the first poll, due long ago").isEqualTo(1);
        assertThat(statusCalls()).as("fal is not asked what its webhook has said").isEqualTo(polls);
        assertThat(status(key, id)).isEqualTo("queued");

        assertThat(receivedFalWebhooks.runOnce()).isPositive();
        assertThat(status(key, id)).isEqualTo("succeeded");
        assertThat(jdbc.sql("select count(*) from tracking_job where training_id = ?").param(id).query(Long.class).single())
                .as("the training's end removed its job").isZero();
        assertThat(statusCalls()).isEqualTo(polls);
    }

    @Test
    void aReportThatIsDroppedLeavesTheTrainingToItsPolls() {
        String key = newTeamKey("sandbox");
        String id = create(key, minimalRequest("https://example.com/inbox-dropped.zip")).get("id").asString();
        assertThat(tracker.runOnce()).as("the submit").isEqualTo(1);
        String requestId = training(key, id).get("fal_request_id").asString();
        // fal's report on the training's own request, kept in a shape this instance cannot apply.
        inbox.keep(id, requestId, "{\"shape\":\"unknown\"}".getBytes(StandardCharsets.UTF_8));
        clock.advance(SANDBOX_QUEUE.plus(SANDBOX_RUN));
        long polls = statusCalls();
        assertThat(tracker.runOnce()).isEqualTo(1);
        assertThat(statusCalls()).as("left to the kept report").isEqualTo(polls);

        for (int attempt = 1; attempt <= FalWebhookInbox.ATTEMPTS; attempt++) {
            assertThat(receivedFalWebhooks.runOnce()).isEqualTo(1);
            clock.advance(LEASE.plusSeconds(1));
        }
        assertThat(kept(id)).as("dropped at the last attempt").isZero();
        runDueWork();

        assertThat(statusCalls()).as("polled once the report was dropped").isGreaterThan(polls);
        assertThat(status(key, id)).isEqualTo("succeeded");
    }

    @Test
    void aStoppingInstanceHandsBackWhatItHasNotApplied() {
        String key = newTeamKey("sandbox");
        String id = create(key, minimalRequest("https://example.com/inbox-stop.zip")).get("id").asString();
        assertThat(tracker.runOnce()).isEqualTo(1);
        clock.advance(SANDBOX_QUEUE.plus(SANDBOX_RUN));
        assertThat(simulatorWebhooks.runOnce()).isEqualTo(1);

        inbox.handBack(inbox.claim("stopping", 10, LEASE));

        assertThat(receivedFalWebhooks.runOnce()).as("due at once, not after the lease").isEqualTo(1);
        assertThat(status(key, id)).isEqualTo("succeeded");
    }

    @Test
    void aDeliveryThatCannotBeAppliedIsTriedAsOftenAsFalDeliversOneThenDropped() {
        String key = newTeamKey("sandbox");
        String id = create(key, minimalRequest("https://example.com/inbox-unreadable.zip")).get("id").asString();
        assertThat(tracker.runOnce()).isEqualTo(1);
        // Kept in a shape this instance cannot read (by a later version, say): every attempt to apply it fails.
        inbox.keep(id, "req-unreadable", "{\"shape\":\"unknown\"}".getBytes(StandardCharsets.UTF_8));

        for (int attempt = 1; attempt < FalWebhookInbox.ATTEMPTS; attempt++) {
            assertThat(receivedFalWebhooks.runOnce()).isEqualTo(1);
            assertThat(kept(id)).as("kept after attempt %d", attempt).isOne();
            assertThat(receivedFalWebhooks.runOnce()).as("not tried again before its lease runs out").isZero();
            clock.advance(LEASE.plusSeconds(1));
        }
        assertThat(receivedFalWebhooks.runOnce()).isEqualTo(1);

        assertThat(kept(id)).as("dropped at the last attempt").isZero();
        assertThat(status(key, id)).as("left to the tracker's polls").isEqualTo("queued");
    }

    /** Status readings the tracker asked of fal (here the sandbox simulator, through the same adapter). */
    private long statusCalls() {
        return meters.find("gateway.fal.calls").tag("operation", "status").timers().stream().mapToLong(Timer::count).sum();
    }

    private String status(String key, String id) {
        return training(key, id).get("status").asString();
    }

    private long kept(String id) {
        return jdbc.sql("select count(*) from fal_webhook_inbox where training_id = ?").param(id).query(Long.class).single();
    }
}
