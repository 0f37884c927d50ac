package com.ltxgateway.tracking;

import java.util.Optional;

import com.ltxgateway.LogFields;
import com.ltxgateway.fal.FalEndpoint;
import com.ltxgateway.fal.FalQueue;
import com.ltxgateway.fal.FalRequestRef;
import com.ltxgateway.fal.FalWebhook;
import com.ltxgateway.fal.FalWebhookSignature;
import com.ltxgateway.fal.FalWebhookVerifier;
import com.ltxgateway.fal.FalWebhookVerifier.Verdict;
import com.ltxgateway.training.TrainingNotFound;
import com.ltxgateway.training.TrainingTransitions;
import com.ltxgateway.training.TrainingTransitions.TrackedTraining;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * Where fal (and the simulator, for sandbox trainings) reports a completed request. The raw body is checked against
 * the signature before anything in it is read; then the outcome is applied at once through
 * {@link TrainingTransitions}, so the API shows it as soon as the delivery is answered. Deliveries are idempotent:
 * a repeat or a late one finds the training finished and changes nothing. The tracker keeps polling as a backstop.
 */
@RestController
class FalWebhookReceiver {

    private static final Logger log = LoggerFactory.getLogger(FalWebhookReceiver.class);

    private final TrainingTransitions transitions;
    private final FalEndpoints endpoints;
    private final FalWebhookVerifier verifier;
    private final FalCompletions completions;
    private final FalQueue fal;
    private final TrackingJobs jobs;
    private final Tracker tracker;

    FalWebhookReceiver(TrainingTransitions transitions, FalEndpoints endpoints, FalWebhookVerifier verifier,
            FalCompletions completions, FalQueue fal, TrackingJobs jobs, Tracker tracker) {
        this.transitions = transitions;
        this.endpoints = endpoints;
        this.verifier = verifier;
        this.completions = completions;
        this.fal = fal;
        this.jobs = jobs;
        this.tracker = tracker;
    }

    /** The body arrives as bytes, capped like every request body: the signature covers them exactly as sent. */
    @PostMapping(FalEndpoints.WEBHOOK_PATH + "{trainingId}")
    ResponseEntity<Void> receive(@PathVariable String trainingId, @RequestHeader HttpHeaders headers,
            @RequestBody(required = false) byte[] body) {
        try (var ignored = MDC.putCloseable(LogFields.TRAINING_ID, trainingId)) {
            return verifyAndApply(trainingId, headers, body);
        }
        finally {
            MDC.remove(LogFields.FAL_REQUEST_ID);
        }
    }

    private ResponseEntity<Void> verifyAndApply(String trainingId, HttpHeaders headers, byte[] body) {
        byte[] raw = body == null ? new byte[0] : body;
        // Which keys may sign depends on the training's mode, so an unknown training cannot be verified at all.
        TrackedTraining training = transitions.find(trainingId).orElseThrow(() -> new TrainingNotFound(trainingId));
        FalWebhookSignature.Headers signature = FalWebhookSignature.Headers.from(headers::getFirst);
        Verdict verdict = verifier.verify(signature, raw, endpoints.webhookKeys(training.mode()));
        if (verdict != Verdict.VERIFIED) {
            log.info("Refused a fal webhook for training {}: {}", trainingId, verdict.reason());
            throw new FalWebhookRejected(verdict.reason());
        }
        // Only a verified request id goes into the logs: before that it is whatever the caller sent.
        MDC.put(LogFields.FAL_REQUEST_ID, signature.requestId());
        FalWebhook webhook;
        try {
            webhook = FalWebhook.parse(raw);
        }
        catch (IllegalArgumentException e) {
            throw new FalWebhookMalformed(e.getMessage());
        }
        // The body is signed too, but only the header's request id is part of the signed message.
        if (!webhook.requestId().equals(signature.requestId())) {
            log.info("Refused a fal webhook for training {}: the body names another request than the signature", trainingId);
            throw new FalWebhookRejected("request id of body and signature differ");
        }
        apply(training, webhook);
        return ResponseEntity.ok().build();
    }

    private void apply(TrackedTraining training, FalWebhook webhook) {
        Optional<TrackedTraining> own = transitions.falReported(training.id(), webhook.requestId(), webhook.summary());
        Optional<FalEndpoint> endpoint = endpoints.forMode(training.mode());
        if (own.isEmpty()) {
            if (endpoint.isPresent()) {
                var outcome = fal.cancel(endpoint.get(), FalRequestRef.of(webhook.requestId()));
                log.info("Asked fal to cancel request {}, which training {} does not follow: {}", webhook.requestId(), training.id(), outcome);
            }
            else {
                log.warn("Cannot cancel fal request {}, which training {} does not follow: no fal key is configured",
                        webhook.requestId(), training.id());
            }
            return;
        }
        TrackedTraining tracked = own.get();
        if (tracked.status().isTerminal()) {
            return;
        }
        if (webhook.result() != null) {
            completions.apply(tracked, webhook.result());
        }
        else if (endpoint.isEmpty()) {
            leaveToTracker(training.id(), "no fal key is configured");
        }
        else {
            // fal could not put the result into the webhook: fetch it like a poll that found the request COMPLETED.
            completions.fetch(tracked, endpoint.get()).ifPresent(unavailable -> leaveToTracker(training.id(), unavailable.reason()));
        }
    }

    /** The tracker retries with backoff and its deadline, which a webhook handler cannot. */
    private void leaveToTracker(String trainingId, String reason) {
        log.info("Result of training {} not fetched after fal's webhook ({}); the tracker fetches it", trainingId, reason);
        jobs.nudge(trainingId);
        tracker.wakeUp();
    }
}
