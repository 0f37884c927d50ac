package com.ltxgateway.webhook;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import com.ltxgateway.RetryAfter;
import com.ltxgateway.net.OutboundCallFailed;
import com.ltxgateway.net.OutboundHttp;
import com.ltxgateway.net.OutboundUrlPolicy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;

import org.springframework.stereotype.Component;

/**
 * Sends one webhook request and reports what became of it; never throws for the receiver's faults. Nothing of the
 * answer but its status and {@code Retry-After} is kept, at most {@code max-response-size} of it is read, and host
 * names resolve through the outbound URL policy at connection time.
 */
@Component
class WebhookSender implements AutoCloseable {

    private final OutboundHttp http;
    private final long maxResponseBytes;

    WebhookSender(WebhookProperties properties, OutboundUrlPolicy policy) {
        this.http = OutboundHttp.pooled("webhooks", properties.timeouts(), policy);
        this.maxResponseBytes = properties.maxResponseSize().toBytes();
    }

    @Override
    public void close() {
        http.close();
    }

    /**
     * @param httpStatus null when no response came
     * @param retryAfter the receiver's {@code Retry-After}, if it sent one
     * @param error why no response came, safe to show (no exception messages, which may hold URLs)
     * @param refused the destination was refused by the outbound URL policy, so no request was sent
     */
    record Result(Integer httpStatus, Duration retryAfter, String error, boolean refused, Duration latency) {
    }

    /** Blocks; call it from a virtual thread. */
    Result post(URI url, Map<String, String> headers, byte[] body) {
        long started = System.nanoTime();
        Map<String, String> sent = new LinkedHashMap<>(headers);
        sent.put(HttpHeaderNames.CONTENT_TYPE.toString(), "application/json");
        try {
            OutboundHttp.Answer answer = http.exchange(HttpMethod.POST, url, sent, body, 0, maxResponseBytes);
            return new Result(answer.status(), RetryAfter.parse(answer.header(HttpHeaderNames.RETRY_AFTER), Instant.now()), null,
                    false, since(started));
        }
        catch (OutboundCallFailed e) {
            return new Result(null, null, e.reason(), e.refused(), since(started));
        }
    }

    private static Duration since(long started) {
        return Duration.ofNanos(System.nanoTime() - started);
    }
}
