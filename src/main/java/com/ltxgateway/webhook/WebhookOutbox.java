package com.ltxgateway.webhook;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import com.github.f4b6a3.ulid.UlidCreator;
import com.ltxgateway.budget.BudgetAlert;
import com.ltxgateway.budget.TeamBudgets.Budget;
import com.ltxgateway.training.TrainingRepresentations;
import com.ltxgateway.training.TrainingOutputsSettled;
import com.ltxgateway.training.TrainingStatusChanged;
import com.ltxgateway.webhook.WebhookEndpoints.Endpoint;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.jspecify.annotations.Nullable;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Turns every status change into deliveries, inside the transaction of the change (a success inside the one that
 * settles its output files' copies): an event is never lost, and none is sent for a change that rolled back. One delivery per destination — the team's endpoints that subscribe
 * to the event, and the training's {@code webhook_url} — all with the same {@code webhook-id} and the payload as
 * it is at the change.
 */
@Component
class WebhookOutbox {

    private final WebhookEndpoints endpoints;
    private final WebhookDeliveries deliveries;
    private final TrainingRepresentations representations;
    private final WebhookDispatcher dispatcher;
    private final JsonMapper json;

    WebhookOutbox(WebhookEndpoints endpoints, WebhookDeliveries deliveries, TrainingRepresentations representations,
            WebhookDispatcher dispatcher, JsonMapper json) {
        this.endpoints = endpoints;
        this.deliveries = deliveries;
        this.representations = representations;
        this.dispatcher = dispatcher;
        this.json = json;
    }

    /** Every status change but the success, which is told once its output files are kept (below). */
    @EventListener
    void on(TrainingStatusChanged change) {
        WebhookEventType type = WebhookEventType.of(change.to()).orElse(null);
        if (type == null || type == WebhookEventType.SUCCEEDED) {
            return;
        }
        enqueue(type, change.at(), change.teamId(), change.trainingId(), change.webhookUrl());
    }

    /** A success, once its output files are stored by the gateway, so that receivers can download them at once. */
    @EventListener
    void on(TrainingOutputsSettled settled) {
        enqueue(WebhookEventType.SUCCEEDED, settled.at(), settled.teamId(), settled.trainingId(), settled.webhookUrl());
    }

    private void enqueue(WebhookEventType type, Instant at, UUID teamId, String trainingId, @Nullable String webhookUrl) {
        // One delivery per URL: a training whose webhook_url is also a registered endpoint is told once, as the
        // endpoint, so that a 410 there disables it.
        Map<String, UUID> destinations = subscribers(teamId, type);
        if (webhookUrl != null) {
            destinations.putIfAbsent(webhookUrl, null);
        }
        // Most changes of most teams have nobody to tell, so the training's representation is built only if needed.
        enqueue(type, at, teamId, trainingId, destinations, () -> representations.of(trainingId));
    }

    /** A budget event, for the team's endpoints that subscribe to it; it concerns no training's own webhook_url. */
    @EventListener
    void on(BudgetAlert alert) {
        WebhookEventType type = alert.kind() == BudgetAlert.Kind.ALERT ? WebhookEventType.BUDGET_ALERT : WebhookEventType.BUDGET_EXHAUSTED;
        Budget budget = alert.budget();
        enqueue(type, alert.at(), alert.teamId(), null, subscribers(alert.teamId(), type),
                () -> json.valueToTree(new BudgetEvent(alert.team(), budget.monthlyUsd(), budget.alertAtPercent(),
                        budget.spentUsd(), budget.reservedUsd(), budget.remainingUsd(), budget.periodStart(), budget.resetsAt())));
    }

    /** The team's endpoints subscribed to {@code type}, by URL: one delivery per URL. */
    private Map<String, UUID> subscribers(UUID teamId, WebhookEventType type) {
        Map<String, UUID> destinations = new LinkedHashMap<>();
        for (Endpoint endpoint : endpoints.subscribedTo(teamId, type)) {
            destinations.putIfAbsent(endpoint.url(), endpoint.id());
        }
        return destinations;
    }

    /** One event, the same {@code webhook-id} and body for every destination; nothing when there is none. */
    private void enqueue(WebhookEventType type, Instant at, UUID teamId, @Nullable String trainingId,
            Map<String, UUID> destinations, Supplier<JsonNode> data) {
        if (destinations.isEmpty()) {
            return;
        }
        ObjectNode payload = json.createObjectNode();
        payload.put("type", type.wireName());
        payload.set("timestamp", json.valueToTree(at));
        payload.set("data", data.get());
        String body = json.writeValueAsString(payload);
        String eventId = "msg_" + UlidCreator.getMonotonicUlid().toString().toLowerCase(Locale.ROOT);
        destinations.forEach((url, endpointId) -> deliveries.add(eventId, type, trainingId, teamId, endpointId, url, body));
        dispatcher.wakeUpAfterCommit();
    }

    /** The {@code data} of a budget event: the budget and the month's figures when it happened. */
    record BudgetEvent(String team, BigDecimal monthlyUsd, int alertAtPercent, BigDecimal spentUsd, BigDecimal reservedUsd,
            BigDecimal remainingUsd, Instant periodStart, Instant resetsAt) {
    }
}
