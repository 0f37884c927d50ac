package com.ltxgateway.tracking;

import java.util.List;
import java.util.Optional;

import com.ltxgateway.ClaimLoop;
import com.ltxgateway.LogFields;
import com.ltxgateway.fal.FalEndpoint;
import com.ltxgateway.fal.FalProperties;
import com.ltxgateway.fal.FalResult;
import com.ltxgateway.fal.FalWebhook;
import com.ltxgateway.tracking.FalWebhookInbox.ClaimedWebhook;
import com.ltxgateway.training.Fence;
import com.ltxgateway.training.TrainingTransitions;
import com.ltxgateway.training.TrainingTransitions.TrackedTraining;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Applies what fal's webhooks reported, from the {@link FalWebhookInbox} their receiver keeps them in, through
 * {@link TrainingTransitions}: in {@link StepTurns} like the tracker's steps, so while callers wait the instance
 * applies them behind its callers, and at once (woken by the receiver) when nobody waits. Every instance runs it,
 * API-only ones included, since every instance receives webhooks; whichever claims a kept delivery first applies it. A
 * report is applied and removed in one transaction; one whose instance died is applied by another once its lease has
 * run out. Applying is idempotent: a repeat or a late report finds the training finished and changes nothing.
 */
@Component
class ReceivedFalWebhooks extends ClaimLoop<ClaimedWebhook> {

    private static final Logger log = LoggerFactory.getLogger(ReceivedFalWebhooks.class);
    /**
     * Applying is database work and a fal call at most: a few at once keep the pool for the API and the tracker, and
     * while callers wait only one turn is free anyway.
     */
    private static final int CONCURRENCY = 8;
    private static final int BATCH_SIZE = 32;

    private final FalWebhookInbox inbox;
    private final TrainingTransitions transitions;
    private final KeyModeRouting endpoints;
    private final FalCompletions completions;
    private final TrackingJobs jobs;
    private final Tracker tracker;
    private final StepTurns turns;
    private final TransactionTemplate transactions;
    private final TrackerProperties properties;

    ReceivedFalWebhooks(FalWebhookInbox inbox, TrainingTransitions transitions, KeyModeRouting endpoints,
            FalCompletions completions, TrackingJobs jobs, Tracker tracker, StepTurns turns, TransactionTemplate transactions,
            TrackerProperties properties, FalProperties fal) {
        super("fal-webhooks", CONCURRENCY, BATCH_SIZE, properties.idleInterval(), properties.lease().dividedBy(3),
                fal.longestCall().plusSeconds(5));
        this.inbox = inbox;
        this.transitions = transitions;
        this.endpoints = endpoints;
        this.completions = completions;
        this.jobs = jobs;
        this.tracker = tracker;
        this.turns = turns;
        this.transactions = transactions;
        this.properties = properties;
    }

    @Override
    protected List<ClaimedWebhook> claim(String owner, int limit) {
        return inbox.claim(owner, limit, properties.lease());
    }

    @Override
    protected void handle(ClaimedWebhook received) {
        MDC.put(LogFields.TRAINING_ID, received.trainingId());
        MDC.put(LogFields.FAL_REQUEST_ID, received.requestId());
        try {
            // Parsed when it was received; a body kept is one that parsed.
            turns.step(() -> apply(received, FalWebhook.parse(received.body())));
        }
        catch (RuntimeException e) {
            notApplied(received, e);
        }
        finally {
            MDC.clear();
        }
    }

    private void notApplied(ClaimedWebhook received, RuntimeException failure) {
        boolean dropped = false;
        try {
            dropped = inbox.failed(received);
        }
        catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
        if (dropped) {
            log.error("fal's webhook for training {} could not be applied in {} attempts and is dropped; the tracker's polls"
                    + " see the training's end instead", received.trainingId(), FalWebhookInbox.ATTEMPTS, failure);
        }
        else {
            log.warn("fal's webhook for training {} was not applied; it is applied again when its claim runs out",
                    received.trainingId(), failure);
        }
    }

    @Override
    protected void renew(List<ClaimedWebhook> inFlight) {
        inbox.renew(inFlight, properties.lease());
    }

    @Override
    protected void handBack(List<ClaimedWebhook> unfinished) {
        inbox.handBack(unfinished);
    }

    private void apply(ClaimedWebhook received, FalWebhook webhook) {
        String trainingId = received.trainingId();
        FalResult result = webhook.result();
        // The report, the result it carries and the delivery's removal are one transaction: the training is locked
        // once, and a failure leaves all three, for the delivery to be applied again.
        Optional<TrackedTraining> own = transactions.execute(tx -> {
            // Empty for a request the training does not follow: recorded with its cancel, sent until fal confirms.
            Optional<TrackedTraining> reported = transitions.falReported(trainingId, webhook.requestId(), webhook.summary());
            if (result != null && reported.isPresent() && !reported.get().status().isTerminal()) {
                completions.apply(trainingId, Fence.NONE, result);
            }
            inbox.applied(received);
            return reported;
        });
        if (result != null || own.isEmpty() || own.get().status().isTerminal()) {
            return;
        }
        Optional<FalEndpoint> endpoint = endpoints.forMode(received.mode());
        if (endpoint.isEmpty()) {
            leaveToTracker(trainingId, "no fal endpoint is available");
        }
        else {
            // fal could not put the result into the webhook: fetch it like a poll that found the request COMPLETED.
            completions.fetch(own.get(), endpoint.get(), Fence.NONE, "OK".equals(webhook.status()))
                    .ifPresent(unavailable -> leaveToTracker(trainingId, unavailable.reason()));
        }
    }

    /** The tracker retries with backoff; a delivery already applied is not applied again. */
    private void leaveToTracker(String trainingId, String reason) {
        log.info("Result of training {} not fetched after fal's webhook ({}); the tracker fetches it", trainingId, reason);
        jobs.nudge(trainingId);
        tracker.wakeUp();
    }
}
