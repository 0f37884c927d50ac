package com.ltxgateway.sandbox;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.ltxgateway.Backoff;
import com.ltxgateway.ClaimLoop;
import com.ltxgateway.fal.FalWebhookSignature;
import com.ltxgateway.sandbox.SandboxRequests.DueWebhook;
import com.ltxgateway.sandbox.SandboxWebhookKeys.SigningKey;

import tools.jackson.databind.json.JsonMapper;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.stereotype.Component;

/**
 * Calls back each simulated request's {@code fal_webhook} when it completes, the way fal does: its result as the
 * payload ({@code ERROR} with the model's error body when it failed or was canceled), signed with the simulator's
 * key. Any replica may deliver any request: a {@link ClaimLoop} over the due webhooks, whose claims keep two from
 * delivering the same one at once. A failed delivery is retried after 1, 5, 25 and 125 seconds, then given up: the
 * gateway's polls still find the outcome.
 */
@Component
@ConditionalOnBooleanProperty(name = "gateway.sandbox.enabled", matchIfMissing = true)
class SandboxWebhooks extends ClaimLoop<DueWebhook> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SandboxWebhooks.class);

    private static final String USER_ID = "sandbox";
    private static final int CONCURRENCY = 20;
    private static final Duration IDLE_INTERVAL = Duration.ofMillis(250);
    private static final Backoff RETRIES = Backoff.schedule(List.of(Duration.ofSeconds(1), Duration.ofSeconds(5),
            Duration.ofSeconds(25), Duration.ofSeconds(125)));
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(10);
    /** Longer than one delivery can take, so a live replica's claim never runs out under it and needs no renewal. */
    private static final Duration LEASE = Duration.ofSeconds(30);

    private final SandboxRequests requests;
    private final SandboxResults results;
    private final SandboxWebhookKeys keys;
    private final JsonMapper json;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();

    SandboxWebhooks(SandboxRequests requests, SandboxResults results, SandboxWebhookKeys keys, JsonMapper json, Clock clock) {
        super("sandbox-webhooks", CONCURRENCY, CONCURRENCY, IDLE_INTERVAL, LEASE, CONNECT_TIMEOUT.plus(RESPONSE_TIMEOUT).plusSeconds(1));
        this.requests = requests;
        this.results = results;
        this.keys = keys;
        this.json = json;
        this.clock = clock;
    }

    @Override
    protected List<DueWebhook> claim(String owner, int limit) {
        return requests.claimDueWebhooks(limit, LEASE);
    }

    @Override
    protected void handle(DueWebhook due) {
        SimulatedRequest request = due.request();
        String outcome;
        try {
            HttpResponse<Void> response = http.send(signed(request), HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 == 2) {
                requests.webhookDelivered(request.id());
                return;
            }
            outcome = "HTTP " + response.statusCode();
        }
        catch (IOException | RuntimeException e) {
            outcome = e.getClass().getSimpleName();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        Duration retryIn = RETRIES.after(due.attempt(), null).orElse(null);
        log.warn("Sandbox webhook of request {} failed ({}), attempt {}{}", request.id(), outcome, due.attempt(),
                retryIn == null ? "; giving up" : "; retrying in " + retryIn.toSeconds() + "s");
        requests.webhookFailed(request.id(), retryIn);
    }

    @Override
    public void close() {
        http.close();
    }

    private HttpRequest signed(SimulatedRequest request) {
        SandboxResults.Result result = results.of(request);
        Map<String, Object> webhook = new LinkedHashMap<>();
        webhook.put("request_id", request.id().toString());
        webhook.put("gateway_request_id", request.id().toString());
        webhook.put("status", result.succeeded() ? "OK" : "ERROR");
        webhook.put("payload", result.body());
        if (!result.succeeded()) {
            // fal's wording: the model's status code, whose error body is the payload.
            webhook.put("error", "Invalid status code: " + result.status());
        }
        byte[] body = json.writeValueAsBytes(webhook);
        SigningKey key = keys.signingKey();
        FalWebhookSignature.Headers headers = FalWebhookSignature.sign(key.privateKey(), request.id().toString(), USER_ID,
                clock.instant().getEpochSecond(), body);
        return HttpRequest.newBuilder(URI.create(request.webhookUrl()))
                .timeout(RESPONSE_TIMEOUT)
                .header("Content-Type", "application/json")
                .header(FalWebhookSignature.REQUEST_ID_HEADER, headers.requestId())
                .header(FalWebhookSignature.USER_ID_HEADER, headers.userId())
                .header(FalWebhookSignature.TIMESTAMP_HEADER, headers.timestamp())
                .header(FalWebhookSignature.SIGNATURE_HEADER, headers.signature())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
    }
}
