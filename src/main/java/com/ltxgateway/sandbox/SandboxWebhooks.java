package com.ltxgateway.sandbox;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.ltxgateway.Backoff;
import com.ltxgateway.ClaimLoop;
import com.ltxgateway.fal.FalWebhookSignature;
import com.ltxgateway.net.OutboundCallFailed;
import com.ltxgateway.net.OutboundHttp;
import com.ltxgateway.net.OutboundTimeouts;
import com.ltxgateway.sandbox.SandboxRequests.DueWebhook;
import com.ltxgateway.sandbox.SandboxWebhookKeys.SigningKey;

import io.netty.handler.codec.http.HttpMethod;
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
    private static final OutboundTimeouts TIMEOUTS = new OutboundTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10));
    /** The receiver answers with an empty body; what it says is not read. */
    private static final long MAX_RESPONSE_BYTES = 64 * 1024;
    /** Longer than one delivery can take, so a live replica's claim never runs out under it and needs no renewal. */
    private static final Duration LEASE = Duration.ofSeconds(30);

    private final SandboxRequests requests;
    private final SandboxResults results;
    private final SandboxWebhookKeys keys;
    private final JsonMapper json;
    private final Clock clock;
    private final OutboundHttp http = OutboundHttp.pooled("sandbox-webhooks", TIMEOUTS);

    SandboxWebhooks(SandboxRequests requests, SandboxResults results, SandboxWebhookKeys keys, JsonMapper json, Clock clock) {
        super("sandbox-webhooks", CONCURRENCY, CONCURRENCY, IDLE_INTERVAL, LEASE, TIMEOUTS.longestCall().plusSeconds(1));
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
            byte[] body = payload(request);
            OutboundHttp.Answer answer = http.exchange(HttpMethod.POST, URI.create(request.webhookUrl()), headers(request, body),
                    body, 0, MAX_RESPONSE_BYTES);
            if (answer.is2xx()) {
                requests.webhookDelivered(request.id());
                return;
            }
            outcome = "HTTP " + answer.status();
        }
        catch (OutboundCallFailed e) {
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
            outcome = e.reason();
        }
        catch (RuntimeException e) {
            // The result could not be made (its row gone, say): retried like an unreachable receiver.
            outcome = e.getClass().getSimpleName();
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

    /** What fal posts: the request's result as the payload, or the model's error body when it did not succeed. */
    private byte[] payload(SimulatedRequest request) {
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
        return json.writeValueAsBytes(webhook);
    }

    private Map<String, String> headers(SimulatedRequest request, byte[] body) {
        SigningKey key = keys.signingKey();
        FalWebhookSignature.Headers signature = FalWebhookSignature.sign(key.privateKey(), request.id().toString(), USER_ID,
                clock.instant().getEpochSecond(), body);
        return Map.of("Content-Type", "application/json",
                FalWebhookSignature.REQUEST_ID_HEADER, signature.requestId(),
                FalWebhookSignature.USER_ID_HEADER, signature.userId(),
                FalWebhookSignature.TIMESTAMP_HEADER, signature.timestamp(),
                FalWebhookSignature.SIGNATURE_HEADER, signature.signature());
    }
}
