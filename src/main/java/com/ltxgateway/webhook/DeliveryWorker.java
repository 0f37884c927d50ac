package com.ltxgateway.webhook;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import com.ltxgateway.Backoff;
import com.ltxgateway.net.OutboundUrlPolicy;
import com.ltxgateway.training.TrainingTimeline;
import com.ltxgateway.webhook.WebhookDeliveries.ClaimedDelivery;
import com.ltxgateway.webhook.WebhookDeliveries.Status;
import com.ltxgateway.webhook.WebhookEndpoints.Endpoint;
import com.ltxgateway.webhook.WebhookSender.Result;
import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookSigningException;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * One attempt of one claimed delivery: check the destination again, sign with the team's secrets, send, and store
 * the outcome — the delivery's new state, the attempt, and a line on the training's timeline — in one transaction.
 */
@Component
class DeliveryWorker {

    private static final Logger log = LoggerFactory.getLogger(DeliveryWorker.class);

    private final WebhookDeliveries deliveries;
    private final WebhookEndpoints endpoints;
    private final SigningSecrets secrets;
    private final WebhookSender sender;
    private final OutboundUrlPolicy policy;
    private final Backoff retries;
    private final TrainingTimeline timeline;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private final MeterRegistry meters;

    DeliveryWorker(WebhookDeliveries deliveries, WebhookEndpoints endpoints, SigningSecrets secrets, WebhookSender sender,
            OutboundUrlPolicy policy, WebhookProperties properties, TrainingTimeline timeline,
            TransactionTemplate transactions, Clock clock, MeterRegistry meters) {
        this.deliveries = deliveries;
        this.endpoints = endpoints;
        this.secrets = secrets;
        this.sender = sender;
        this.policy = policy;
        this.retries = Backoff.schedule(properties.retrySchedule());
        this.timeline = timeline;
        this.transactions = transactions;
        this.clock = clock;
        this.meters = meters;
    }

    /** What became of an attempt: delivered, refused with 410, worth another try, or over for good. */
    private enum Kind { DELIVERED, GONE, RETRY, FINAL }

    private record Outcome(Kind kind, Result result) {
    }

    /** Where an attempt leaves the delivery; {@code next} says so on the timeline. */
    private record Decision(Status status, int failures, Duration retryIn, String next) {
    }

    void attempt(ClaimedDelivery delivery, String owner) {
        Instant at = clock.instant();
        Outcome outcome = send(delivery, at);
        Result result = outcome.result();
        Decision decision = decide(delivery, outcome, at);
        String summary = result.httpStatus() != null
                ? "HTTP " + result.httpStatus() + " in " + result.latency().toMillis() + " ms" : result.error();
        String message = delivery.eventType() + " to " + display(delivery.url()) + ": " + summary + " (attempt "
                + delivery.attempt() + ")" + (decision.next() == null ? "" : "; " + decision.next());
        Boolean stored = transactions.execute(tx -> {
            if (!deliveries.finish(delivery, owner, decision.status(), decision.failures(), decision.retryIn(),
                    outcome.kind() == Kind.DELIVERED ? null : summary)) {
                return false;
            }
            deliveries.addAttempt(delivery, at, owner, result.httpStatus(), result.latency(), result.error());
            if (outcome.kind() == Kind.GONE && delivery.endpointId() != null) {
                String reason = "HTTP 410 Gone in answer to delivery " + delivery.id() + " at "
                        + at.truncatedTo(ChronoUnit.SECONDS);
                endpoints.disable(delivery.endpointId(), at, reason);
                deliveries.failPendingTo(delivery.endpointId(), "the endpoint is disabled: " + reason);
            }
            if (delivery.trainingId() != null) {
                timeline.webhookDelivery(delivery.trainingId(), decision.status().wireName(), message);
            }
            return true;
        });
        // An attempt whose lease was lost meanwhile is another instance's to count.
        if (Boolean.TRUE.equals(stored)) {
            Counter.builder("gateway.webhook.deliveries")
                    .description("Attempts to deliver webhooks to teams, by what became of the delivery")
                    .tag("outcome", switch (decision.status()) {
                        case DELIVERED -> "delivered";
                        case PENDING -> "retry";
                        case FAILED -> "failed";
                    })
                    .register(meters)
                    .increment();
        }
    }

    private Decision decide(ClaimedDelivery delivery, Outcome outcome, Instant at) {
        return switch (outcome.kind()) {
            case DELIVERED -> new Decision(Status.DELIVERED, delivery.failures(), Duration.ZERO, null);
            case GONE -> new Decision(Status.FAILED, delivery.failures(), Duration.ZERO,
                    delivery.endpointId() != null ? "the endpoint is disabled" : "the receiver is gone");
            case FINAL -> new Decision(Status.FAILED, delivery.failures(), Duration.ZERO, null);
            case RETRY -> {
                int failures = delivery.failures() + 1;
                yield retries.after(failures, outcome.result().retryAfter())
                        .map(wait -> new Decision(Status.PENDING, failures, wait,
                                "next attempt at " + at.plus(wait).truncatedTo(ChronoUnit.SECONDS)))
                        .orElseGet(() -> new Decision(Status.FAILED, failures, Duration.ZERO, "no attempts left"));
            }
        };
    }

    private Outcome send(ClaimedDelivery delivery, Instant at) {
        if (delivery.endpointId() != null) {
            String inactive = endpoints.find(delivery.endpointId()).map(Endpoint::inactiveReason).orElse(null);
            if (inactive != null) {
                return notSent(Kind.FINAL, inactive);
            }
        }
        Optional<String> refusal = policy.refusal(delivery.url());
        if (refusal.isPresent()) {
            return notSent(Kind.FINAL, "refused: " + refusal.get());
        }
        List<Webhook> signers;
        try {
            signers = secrets.signers(delivery.teamId());
        }
        catch (WebhookSigningUnavailable e) {
            return notSent(Kind.RETRY, "not sent: the gateway has no encryption key for signing secrets");
        }
        catch (SigningSecretUndecryptable e) {
            // No retry brings the key back: the delivery fails now, loudly, instead of every minute forever.
            log.error("Delivery {} failed: {}", delivery.id(), e.getMessage());
            Counter.builder("gateway.webhook.secrets.undecryptable")
                    .description("Deliveries failed because the team's signing secret opens with no configured encryption key")
                    .register(meters).increment();
            return notSent(Kind.FINAL, "failed: the team's signing secret cannot be decrypted with the gateway's encryption keys "
                    + "(was gateway.webhooks.encryption-key changed? see docs/webhooks.md, key rotation)");
        }
        if (signers.isEmpty()) {
            return notSent(Kind.RETRY, "not sent: the team has no signing secret yet");
        }
        long timestamp = at.getEpochSecond();
        String signatures = signers.stream().map(signer -> sign(signer, delivery, timestamp)).collect(Collectors.joining(" "));
        Map<String, String> headers = Map.of("webhook-id", delivery.eventId(), "webhook-timestamp", Long.toString(timestamp),
                "webhook-signature", signatures);
        Result result = sender.post(URI.create(delivery.url()), headers, delivery.payload().getBytes(StandardCharsets.UTF_8));
        Integer status = result.httpStatus();
        Kind kind = result.refused() ? Kind.FINAL
                : status == null ? Kind.RETRY
                : status >= 200 && status < 300 ? Kind.DELIVERED
                : status == 410 ? Kind.GONE
                : Kind.RETRY;
        return new Outcome(kind, result);
    }

    private static Outcome notSent(Kind kind, String why) {
        return new Outcome(kind, new Result(null, null, why, false, Duration.ZERO));
    }

    private static String sign(Webhook signer, ClaimedDelivery delivery, long timestamp) {
        try {
            return signer.sign(delivery.eventId(), timestamp, delivery.payload());
        }
        catch (WebhookSigningException e) {
            throw new IllegalStateException("HMAC-SHA256 is unavailable", e);
        }
    }

    /** Scheme, host, port and path: a query may hold the receiver's own token, which the timeline must not show. */
    static String display(String url) {
        URI uri = URI.create(url);
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        return uri.getScheme() + "://" + uri.getRawAuthority().replaceFirst("^.*@", "") + path;
    }
}
