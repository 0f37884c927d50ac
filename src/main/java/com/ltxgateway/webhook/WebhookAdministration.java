package com.ltxgateway.webhook;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import com.ltxgateway.FieldViolation;
import com.ltxgateway.access.TeamDirectory;
import com.ltxgateway.access.TeamNotFound;
import com.ltxgateway.audit.AuditLog;
import com.ltxgateway.net.OutboundUrlPolicy;
import com.ltxgateway.net.Urls;
import com.ltxgateway.webhook.SigningSecrets.IssuedSecret;
import com.ltxgateway.webhook.WebhookDeliveries.Attempt;
import com.ltxgateway.webhook.WebhookDeliveries.Delivery;
import com.ltxgateway.webhook.WebhookDeliveries.Status;
import com.ltxgateway.webhook.WebhookEndpoints.Endpoint;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Webhook endpoints, signing secrets and deliveries, as admins manage them through the admin API and the dashboard;
 * every change is audited. What other modules see are the summaries below: a delivery is shown without its
 * destination's query string, where a training's URL may carry the receiver's token.
 */
@Service
public class WebhookAdministration {

    private static final int MAX_URL_LENGTH = 2048;
    /** No control characters (PostgreSQL cannot store U+0000) and no unpaired surrogates (no UTF-8 form). */
    private static final String STORABLE = "[^\\p{Cc}\\p{Cs}]*";

    private final TeamDirectory teams;
    private final WebhookEndpoints endpoints;
    private final WebhookDeliveries deliveries;
    private final SigningSecrets secrets;
    private final OutboundUrlPolicy policy;
    private final WebhookDispatcher dispatcher;
    private final AuditLog auditLog;
    private final Clock clock;

    WebhookAdministration(TeamDirectory teams, WebhookEndpoints endpoints, WebhookDeliveries deliveries,
            SigningSecrets secrets, OutboundUrlPolicy policy, WebhookDispatcher dispatcher, AuditLog auditLog, Clock clock) {
        this.teams = teams;
        this.endpoints = endpoints;
        this.deliveries = deliveries;
        this.secrets = secrets;
        this.policy = policy;
        this.dispatcher = dispatcher;
        this.auditLog = auditLog;
        this.clock = clock;
    }

    /** Every event a team can subscribe to, in the order the API documents them. */
    public List<String> eventNames() {
        return Arrays.stream(WebhookEventType.values()).map(WebhookEventType::wireName).toList();
    }

    /**
     * {@code events} null means every event.
     *
     * @throws WebhookRequestInvalid naming each field that breaks a rule, the outbound URL policy's included
     */
    @Transactional
    public EndpointSummary register(String actor, String teamSlug, String url, List<String> events) {
        List<String> subscribed = validate(url, events);
        UUID teamId = teamId(teamSlug);
        Endpoint endpoint = endpoints.add(teamId, url, subscribed, now());
        auditLog.record(actor, "webhook_endpoint.created", "webhook:" + endpoint.id() + " team:" + teamSlug);
        return EndpointSummary.of(endpoint);
    }

    @Transactional(readOnly = true)
    public List<EndpointSummary> endpointsOf(String teamSlug) {
        return endpoints.ofTeam(teamId(teamSlug)).stream().map(EndpointSummary::of).toList();
    }

    /** @throws WebhookEndpointNotFound when the team has no such endpoint */
    public EndpointSummary endpointOf(String teamSlug, String endpointId) {
        return endpointsOf(teamSlug).stream()
                .filter(endpoint -> endpoint.id().toString().equals(endpointId))
                .findFirst()
                .orElseThrow(() -> new WebhookEndpointNotFound(endpointId));
    }

    /** @throws WebhookEndpointNotFound when the team has no such endpoint */
    @Transactional
    public void deleteEndpoint(String actor, String teamSlug, String endpointId) {
        delete(actor, endpointOf(teamSlug, endpointId).id());
    }

    /** Its pending deliveries end with it. */
    @Transactional
    public void delete(String actor, UUID endpointId) {
        if (!endpoints.delete(endpointId, now())) {
            throw new WebhookEndpointNotFound(endpointId.toString());
        }
        deliveries.failPendingTo(endpointId, "the endpoint was deleted");
        auditLog.record(actor, "webhook_endpoint.deleted", "webhook:" + endpointId);
    }

    @Transactional
    public NewSigningSecret rotateSecret(String actor, String teamSlug) {
        IssuedSecret issued = secrets.rotate(teamId(teamSlug));
        auditLog.record(actor, issued.previousExpiresAt() == null ? "webhook_secret.created" : "webhook_secret.rotated",
                "team:" + teamSlug);
        return new NewSigningSecret(issued.secret(), issued.createdAt(), issued.previousExpiresAt());
    }

    /** Newest first, at most {@code limit}. */
    @Transactional(readOnly = true)
    public List<DeliverySummary> deliveriesOf(String trainingId, int limit) {
        return deliveries.page(null, trainingId, null, limit).stream().map(DeliverySummary::of).toList();
    }

    /**
     * @throws WebhookDeliveryNotFound when the training has no such delivery
     * @throws WebhookDeliveryConflict when an attempt is under way or the endpoint takes no deliveries
     */
    @Transactional
    public DeliverySummary redeliver(String actor, String trainingId, String deliveryId) {
        if (!delivery(deliveryId).trainingId().equals(trainingId)) {
            throw new WebhookDeliveryNotFound(deliveryId);
        }
        return DeliverySummary.of(redeliver(actor, deliveryId));
    }

    @Transactional(readOnly = true)
    public List<Delivery> deliveries(Status status, String trainingId, String before, int limit) {
        return deliveries.page(status, trainingId, before, limit);
    }

    @Transactional(readOnly = true)
    public Delivery delivery(String id) {
        return deliveries.find(id).orElseThrow(() -> new WebhookDeliveryNotFound(id));
    }

    @Transactional(readOnly = true)
    public List<Attempt> attempts(String deliveryId) {
        return deliveries.attempts(deliveryId);
    }

    /** A new attempt now, with the whole retry schedule ahead of it again. */
    @Transactional
    public Delivery redeliver(String actor, String id) {
        Delivery delivery = delivery(id);
        if (delivery.endpointId() != null) {
            String inactive = endpoints.find(delivery.endpointId()).map(Endpoint::inactiveReason).orElse(null);
            if (inactive != null) {
                throw new WebhookDeliveryConflict("Delivery " + id + " cannot be redelivered: " + inactive);
            }
        }
        if (!deliveries.redeliver(id)) {
            throw new WebhookDeliveryConflict("Delivery " + id + " is being attempted right now");
        }
        auditLog.record(actor, "webhook_delivery.redelivered", "webhook-delivery:" + id);
        dispatcher.wakeUpAfterCommit();
        return delivery(id);
    }

    public Optional<String> teamSlug(UUID teamId) {
        return teams.slugOf(teamId);
    }

    private List<String> validate(String url, List<String> events) {
        List<FieldViolation> violations = new ArrayList<>();
        if (url == null) {
            violations.add(new FieldViolation("url", "is required"));
        }
        else if (url.codePointCount(0, url.length()) > MAX_URL_LENGTH) {
            violations.add(new FieldViolation("url", "must be at most " + MAX_URL_LENGTH + " characters"));
        }
        else if (!url.matches(STORABLE)) {
            violations.add(new FieldViolation("url", "must not contain control characters or unpaired surrogates"));
        }
        else {
            policy.refusal(url).ifPresent(reason -> violations.add(new FieldViolation("url", reason)));
        }
        Set<String> subscribed = new LinkedHashSet<>();
        if (events == null) {
            for (WebhookEventType type : WebhookEventType.values()) {
                subscribed.add(type.wireName());
            }
        }
        else if (events.isEmpty()) {
            violations.add(new FieldViolation("events", "must name at least one event; leave it out for every event"));
        }
        else {
            for (int i = 0; i < events.size(); i++) {
                String name = events.get(i);
                if (name != null && WebhookEventType.fromWireName(name).isPresent()) {
                    subscribed.add(name);
                }
                else {
                    violations.add(new FieldViolation("events[" + i + "]", "must be one of " + WebhookEventType.NAMES));
                }
            }
        }
        if (!violations.isEmpty()) {
            throw new WebhookRequestInvalid(violations);
        }
        return List.copyOf(subscribed);
    }

    private UUID teamId(String slug) {
        return teams.idOf(slug).orElseThrow(() -> new TeamNotFound(slug));
    }

    /** PostgreSQL keeps microseconds: a time shown when something is created must equal the one read back later. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    /** {@code destination} is the URL without its query string, which may hold a receiver's token. */
    public record DeliverySummary(String id, String eventType, String trainingId, String destination, String status,
            int attempts, String lastError, Instant createdAt, Instant finishedAt) {

        static DeliverySummary of(Delivery d) {
            return new DeliverySummary(d.id(), d.eventType(), d.trainingId(), Urls.redacted(d.url()), d.status().wireName(),
                    d.attempts(), d.lastError(), d.createdAt(), d.finishedAt());
        }
    }

    public record EndpointSummary(UUID id, String url, List<String> events, Instant createdAt, Instant disabledAt,
            String disabledReason) {

        static EndpointSummary of(Endpoint e) {
            return new EndpointSummary(e.id(), e.url(), e.events(), e.createdAt(), e.disabledAt(), e.disabledReason());
        }
    }

    /** The secret itself is for one answer only: never logged, never stored in the clear. */
    public record NewSigningSecret(String secret, Instant createdAt, Instant previousExpiresAt) {

        @Override
        public String toString() {
            return "NewSigningSecret[createdAt=" + createdAt + "]";
        }
    }
}
