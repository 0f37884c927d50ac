package com.ltxgateway.webhook;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import com.ltxgateway.Causes;
import com.ltxgateway.RetryAfter;
import com.ltxgateway.TransportFailure;
import com.ltxgateway.net.OutboundAddressRefused;
import com.ltxgateway.net.OutboundUrlPolicy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.stereotype.Component;

/**
 * Sends one webhook request and reports what became of it; never throws for the receiver's faults. Redirects are
 * not followed (a receiver could point one inside), at most {@code max-response-size} of a response is read,
 * and host names resolve through {@link CheckedAddressResolverGroup}.
 */
@Component
class WebhookSender implements AutoCloseable {

    /** A receiver asking for more than this is read as asking for this; the schedule's own waits are shorter. */

    private final ConnectionProvider connections;
    private final HttpClient client;
    private final Duration readTimeout;
    private final Duration callTimeout;
    private final long maxResponseBytes;

    WebhookSender(WebhookProperties properties, OutboundUrlPolicy policy) {
        this.readTimeout = properties.readTimeout();
        // The read timeout bounds each wait for data, so a response trickling in could last forever; this caps it.
        this.callTimeout = properties.connectTimeout().plus(properties.readTimeout()).plus(properties.readTimeout());
        this.maxResponseBytes = properties.maxResponseSize().toBytes();
        this.connections = ConnectionProvider.builder("webhooks")
                .maxIdleTime(Duration.ofSeconds(20))
                .maxLifeTime(Duration.ofMinutes(5))
                .evictInBackground(Duration.ofSeconds(30))
                .build();
        this.client = HttpClient.create(connections)
                .resolver(new CheckedAddressResolverGroup(policy))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) properties.connectTimeout().toMillis())
                .responseTimeout(readTimeout)
                .followRedirect(false);
    }

    @Override
    public void close() {
        connections.dispose();
    }

    /**
     * @param httpStatus null when no response came
     * @param retryAfter the receiver's {@code Retry-After}, if it sent one
     * @param error why no response came, safe to show (no exception messages, which may hold URLs)
     * @param refused the destination was refused by the outbound URL policy, so no request was sent
     */
    record Result(Integer httpStatus, Duration retryAfter, String error, boolean refused, Duration latency) {
    }

    private record Answer(int status, String retryAfter) {
    }

    /** Blocks; call it from a virtual thread. */
    Result post(URI url, Map<String, String> headers, byte[] body) {
        long started = System.nanoTime();
        try {
            Answer answer = client
                    .headers(h -> {
                        headers.forEach(h::set);
                        h.set(HttpHeaderNames.CONTENT_TYPE, "application/json");
                        h.set(HttpHeaderNames.CONTENT_LENGTH, body.length);
                    })
                    .post()
                    .uri(url.toString())
                    .send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(body)))
                    .response((response, content) -> content
                            .map(ByteBuf::readableBytes)
                            .scan(0L, Long::sum)
                            .takeUntil(read -> read > maxResponseBytes)
                            .then(Mono.just(new Answer(response.status().code(),
                                    response.responseHeaders().get(HttpHeaderNames.RETRY_AFTER)))))
                    .next()
                    .timeout(callTimeout)
                    .block();
            if (answer == null) {
                return new Result(null, null, "no response", false, since(started));
            }
            return new Result(answer.status(), RetryAfter.parse(answer.retryAfter(), Instant.now()), null, false, since(started));
        }
        catch (RuntimeException e) {
            OutboundAddressRefused refused = Causes.find(e, OutboundAddressRefused.class);
            return refused != null ? new Result(null, null, "refused: " + refused.getMessage(), true, since(started))
                    : new Result(null, null, reason(e), false, since(started));
        }
    }

    private String reason(Throwable failure) {
        return TransportFailure.reason(failure, readTimeout, callTimeout);
    }

    private static Duration since(long started) {
        return Duration.ofNanos(System.nanoTime() - started);
    }

}
