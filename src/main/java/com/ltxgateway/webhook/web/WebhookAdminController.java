package com.ltxgateway.webhook.web;

import com.ltxgateway.webhook.WebhookAdministration;
import com.ltxgateway.webhook.WebhookEndpointNotFound;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import com.ltxgateway.InvalidQueryParameter;
import com.ltxgateway.access.Caller;
import com.ltxgateway.webhook.WebhookAdministration.EndpointSummary;
import com.ltxgateway.webhook.WebhookAdministration.NewSigningSecret;
import com.ltxgateway.webhook.WebhookDeliveries.Attempt;
import com.ltxgateway.webhook.WebhookDeliveries.Delivery;
import com.ltxgateway.webhook.WebhookDeliveries.Status;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "Admin: webhooks", description = "Webhook endpoints, signing secrets and deliveries to teams; admin keys only.")
@RequestMapping("/v1/admin")
class WebhookAdminController {

    private static final int DEFAULT_LIMIT = 20;
    private static final int MAX_LIMIT = 100;
    private static final Set<String> LIST_PARAMETERS = Set.of("status", "training", "limit", "cursor");
    private static final Pattern DELIVERY_ID = Pattern.compile("dlv_[0-9a-z]{26}");

    private final WebhookAdministration administration;

    WebhookAdminController(WebhookAdministration administration) {
        this.administration = administration;
    }

    @PostMapping("/teams/{slug}/webhooks")
    @Operation(summary = "Register a webhook endpoint for a team")
    ResponseEntity<EndpointView> register(@AuthenticationPrincipal Caller caller, @PathVariable String slug,
            @RequestBody NewEndpoint body) {
        EndpointSummary endpoint = administration.register(caller.actor(), slug, body.url(), body.events());
        return ResponseEntity.created(URI.create("/v1/admin/teams/" + slug + "/webhooks")).body(EndpointView.of(endpoint, slug));
    }

    @GetMapping("/teams/{slug}/webhooks")
    @Operation(summary = "List a team's webhook endpoints")
    ListOf<EndpointView> endpoints(@PathVariable String slug) {
        return new ListOf<>(administration.endpointsOf(slug).stream().map(e -> EndpointView.of(e, slug)).toList());
    }

    @DeleteMapping("/webhooks/{id}")
    @Operation(summary = "Delete a webhook endpoint; its pending deliveries end")
    ResponseEntity<Void> delete(@AuthenticationPrincipal Caller caller, @PathVariable String id) {
        UUID endpointId;
        try {
            endpointId = UUID.fromString(id);
        }
        catch (IllegalArgumentException e) {
            throw new WebhookEndpointNotFound(id);
        }
        administration.delete(caller.actor(), endpointId);
        return ResponseEntity.noContent().build();
    }

    /** The secret is in this answer only; it is never shown again. */
    @PostMapping("/teams/{slug}/webhook-secret")
    @Operation(summary = "Create or rotate a team's signing secret; the secret is shown only in this answer")
    ResponseEntity<SecretView> rotateSecret(@AuthenticationPrincipal Caller caller, @PathVariable String slug) {
        NewSigningSecret issued = administration.rotateSecret(caller.actor(), slug);
        return ResponseEntity.status(HttpStatus.CREATED)
                .body(new SecretView(slug, issued.secret(), issued.createdAt(), issued.previousExpiresAt()));
    }

    @GetMapping("/webhook-deliveries")
    @Operation(summary = "List webhook deliveries, newest first")
    DeliveryPage deliveries(@RequestParam Map<String, String> parameters) {
        for (String name : parameters.keySet()) {
            if (!LIST_PARAMETERS.contains(name)) {
                throw new InvalidQueryParameter(name, "unknown query parameter; use status, training, limit or cursor");
            }
        }
        String status = parameters.get("status");
        if (status != null && !Set.of("pending", "delivered", "failed").contains(status)) {
            throw new InvalidQueryParameter("status", "status must be one of pending, delivered, failed");
        }
        int limit = DEFAULT_LIMIT;
        if (parameters.containsKey("limit")) {
            limit = parameters.get("limit").matches("[0-9]{1,3}") ? Integer.parseInt(parameters.get("limit")) : -1;
            if (limit < 1 || limit > MAX_LIMIT) {
                throw new InvalidQueryParameter("limit", "limit must be an integer from 1 to " + MAX_LIMIT);
            }
        }
        String cursor = parameters.get("cursor");
        if (cursor != null && !DELIVERY_ID.matcher(cursor).matches()) {
            throw new InvalidQueryParameter("cursor", "cursor is not one this API returned");
        }
        String training = parameters.get("training");
        if (training != null && !training.matches("[\\x21-\\x7e]{1,40}")) {
            throw new InvalidQueryParameter("training", "training must be a training id");
        }
        List<Delivery> rows = administration.deliveries(status == null ? null : Status.fromWireName(status), training,
                cursor, limit + 1);
        boolean more = rows.size() > limit;
        List<Delivery> page = more ? rows.subList(0, limit) : rows;
        return new DeliveryPage(page.stream().map(this::view).toList(), more ? page.getLast().id() : null);
    }

    @GetMapping("/webhook-deliveries/{id}")
    @Operation(summary = "A webhook delivery with every attempt")
    DeliveryDetail delivery(@PathVariable String id) {
        Delivery delivery = administration.delivery(id);
        return new DeliveryDetail(view(delivery), administration.attempts(id).stream().map(AttemptView::of).toList());
    }

    @PostMapping("/webhook-deliveries/{id}/redeliver")
    @Operation(summary = "Attempt a webhook delivery again now")
    ResponseEntity<DeliveryView> redeliver(@AuthenticationPrincipal Caller caller, @PathVariable String id) {
        return ResponseEntity.accepted().body(view(administration.redeliver(caller.actor(), id)));
    }

    private DeliveryView view(Delivery d) {
        return new DeliveryView(d.id(), d.eventId(), d.eventType(), d.trainingId(),
                administration.teamSlug(d.teamId()).orElse(null), d.endpointId(), d.url(), d.status().wireName(),
                d.attempts(), d.status() == Status.PENDING ? d.dueAt() : null, d.lastError(), d.createdAt(),
                d.finishedAt(), d.lastAttempt() == null ? null : AttemptView.of(d.lastAttempt()));
    }

    /** {@code events} left out: every event. */
    record NewEndpoint(String url, List<String> events) {
    }

    record ListOf<T>(List<T> data) {
    }

    record EndpointView(UUID id, String team, String url, List<String> events, Instant createdAt, Instant disabledAt,
            String disabledReason) {

        static EndpointView of(EndpointSummary endpoint, String teamSlug) {
            return new EndpointView(endpoint.id(), teamSlug, endpoint.url(), endpoint.events(), endpoint.createdAt(),
                    endpoint.disabledAt(), endpoint.disabledReason());
        }
    }

    record SecretView(String team, String secret, Instant createdAt, Instant previousSecretExpiresAt) {

        @Override
        public String toString() {
            return "SecretView[team=" + team + ", createdAt=" + createdAt + "]";
        }
    }

    record DeliveryPage(List<DeliveryView> data, String nextCursor) {
    }

    /**
     * @param attemptCount attempts made, redeliveries included
     * @param nextAttemptAt when a pending delivery is tried next
     */
    record DeliveryView(String id, String eventId, String type, String trainingId, String team, UUID endpointId,
            String url, String status, int attemptCount, Instant nextAttemptAt, String lastError, Instant createdAt,
            Instant finishedAt, AttemptView lastAttempt) {
    }

    /** The delivery with every attempt made. */
    record DeliveryDetail(@JsonUnwrapped DeliveryView delivery, List<AttemptView> attempts) {
    }

    record AttemptView(int attempt, Instant at, String sentBy, Integer httpStatus, int latencyMs, String error) {

        static AttemptView of(Attempt attempt) {
            return new AttemptView(attempt.attempt(), attempt.at(), attempt.sentBy(), attempt.httpStatus(),
                    attempt.latencyMs(), attempt.error());
        }
    }
}
