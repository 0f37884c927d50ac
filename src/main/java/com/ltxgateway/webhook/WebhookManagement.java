package com.ltxgateway.webhook;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import com.ltxgateway.webhook.SigningSecrets.IssuedSecret;
import com.ltxgateway.webhook.WebhookDeliveries.Delivery;
import com.ltxgateway.webhook.WebhookEndpoints.Endpoint;

import org.springframework.stereotype.Service;

/**
 * What other modules may do with teams' webhooks: the admin API's own operations, audited the same way. A delivery
 * is shown without its destination's query string, where a training's URL may carry the receiver's token.
 */
@Service
public class WebhookManagement {

    private final WebhookAdministration administration;

    WebhookManagement(WebhookAdministration administration) {
        this.administration = administration;
    }

    /** Every event a team can subscribe to, in the order the API documents them. */
    public List<String> eventNames() {
        return Arrays.stream(WebhookEventType.values()).map(WebhookEventType::wireName).toList();
    }

    /** Newest first, at most {@code limit}. */
    public List<DeliverySummary> deliveriesOf(String trainingId, int limit) {
        return administration.deliveries(null, trainingId, null, limit).stream().map(DeliverySummary::of).toList();
    }

    /**
     * @throws WebhookDeliveryNotFound when the training has no such delivery
     * @throws WebhookDeliveryConflict when an attempt is under way or the endpoint takes no deliveries
     */
    public DeliverySummary redeliver(String actor, String trainingId, String deliveryId) {
        if (!administration.delivery(deliveryId).trainingId().equals(trainingId)) {
            throw new WebhookDeliveryNotFound(deliveryId);
        }
        return DeliverySummary.of(administration.redeliver(actor, deliveryId));
    }

    public List<EndpointSummary> endpointsOf(String teamSlug) {
        return administration.endpointsOf(teamSlug).stream().map(EndpointSummary::of).toList();
    }

    /** @throws WebhookRequestInvalid naming each field that breaks a rule, the outbound URL policy's included */
    public EndpointSummary register(String actor, String teamSlug, String url, List<String> events) {
        return EndpointSummary.of(administration.register(actor, teamSlug, url, events));
    }

    /** @throws WebhookEndpointNotFound when the team has no such endpoint */
    public EndpointSummary endpointOf(String teamSlug, String endpointId) {
        return endpointsOf(teamSlug).stream()
                .filter(endpoint -> endpoint.id().toString().equals(endpointId))
                .findFirst()
                .orElseThrow(() -> new WebhookEndpointNotFound(endpointId));
    }

    /** @throws WebhookEndpointNotFound when the team has no such endpoint */
    public void deleteEndpoint(String actor, String teamSlug, String endpointId) {
        administration.delete(actor, endpointOf(teamSlug, endpointId).id());
    }

    public NewSigningSecret rotateSecret(String actor, String teamSlug) {
        IssuedSecret issued = administration.rotateSecret(actor, teamSlug);
        return new NewSigningSecret(issued.secret(), issued.createdAt(), issued.previousExpiresAt());
    }

    /** {@code destination} is the URL without its query string, which may hold a receiver's token. */
    public record DeliverySummary(String id, String eventType, String trainingId, String destination, String status,
            int attempts, String lastError, Instant createdAt, Instant finishedAt) {

        static DeliverySummary of(Delivery d) {
            return new DeliverySummary(d.id(), d.eventType(), d.trainingId(), withoutQuery(d.url()), d.status().wireName(),
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

    /** User info goes too: like a query string, it is where receivers put credentials. */
    static String withoutQuery(String url) {
        try {
            URI uri = new URI(url);
            if (uri.getHost() != null) {
                return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                        + (uri.getRawPath() == null ? "" : uri.getRawPath());
            }
        }
        catch (URISyntaxException e) {
            // the page still shows where it went, cut by hand below
        }
        int cut = url.indexOf('?');
        return cut < 0 ? url : url.substring(0, cut);
    }
}
