package com.ltxgateway.fal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import com.ltxgateway.Causes;
import com.ltxgateway.RetryAfter;
import com.ltxgateway.net.OutboundHttp;
import com.ltxgateway.net.OutboundTimeouts;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.BodyInserter;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The HTTP side that fal's adapters share: a call over the gateway's outbound client ({@link OutboundHttp}: its pool,
 * timeouts, no redirects and no automatic retries), the submit gate, answers read off the event loop, and failures
 * turned into outcomes whose reasons keep the key out of log lines.
 * <p>
 * <b>What may have reached fal.</b> Each call tracks whether its request may have been written. Nothing is handed to
 * the connection before the connection is open: Reactor Netty applies the request (headers and body) only once it has
 * acquired a connected channel, after the TLS handshake, and the request's headers are committed only together with
 * its body. A gated request asks its {@link SubmitGate} at that moment, on a virtual thread, and writes nothing unless
 * the gate opened. A call that fails before that point provably sent nothing ({@code answerLost} false); one that
 * fails after it without a complete answer may have been acted on ({@code answerLost} true). Reactor Netty's own
 * retry of a request on a reset connection is disabled: it would apply the request, and so ask the gate, twice. For
 * the same reason a gated request takes a new connection rather than one that sat idle in the pool. The gate runs
 * with the caller's MDC but none of its other thread-bound state (a transaction, say).
 * <p>
 * <b>Reading.</b> Every body is read as a stream of the response's buffers on a virtual thread of its own, at most
 * {@value #BUFFERS_IN_FLIGHT} buffers ahead of the reader, never on the event loop. A {@link BodyReader} decides how
 * much of it is kept: one of {@link FalBodies}, or a reader of its own that keeps only what it needs.
 * <p>
 * <b>The key.</b> It is sent only as the {@code Authorization} header. Reasons are built from status codes and
 * exception types, never from messages. Every string taken from an answer has the key masked ({@link FalKeyMask}):
 * whole bodies before they are parsed, trees after, single values as they are read.
 */
final class FalHttp implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FalHttp.class);

    static final String ERROR_TYPE_HEADER = "X-Fal-Error-Type";
    private static final int BUFFERS_IN_FLIGHT = 16;
    // What is left after the reader stopped (trailing whitespace, usually nothing) is read so the connection can be
    // reused; past this much it is closed instead.
    private static final int MAX_DRAINED_BYTES = 64 * 1024;

    private final OutboundHttp pooled;
    private final OutboundHttp fresh;
    private final WebClient webClient;
    private final WebClient freshConnectionClient;
    private final OutboundTimeouts timeouts;

    FalHttp(String name, WebClient.Builder builder, FalProperties properties) {
        this.timeouts = properties.timeouts();
        this.pooled = OutboundHttp.pooled(name, timeouts, properties.maxConnections());
        // A gated request goes out on a connection of its own: a pooled one may have been dropped by the other end
        // while it sat idle, and once the gate opened a reset can no longer be told from a request fal received.
        this.fresh = OutboundHttp.unpooled(timeouts);
        this.webClient = webClient(builder, pooled);
        this.freshConnectionClient = webClient(builder, fresh);
    }

    private static WebClient webClient(WebClient.Builder builder, OutboundHttp http) {
        return builder.clone()
                .clientConnector(new ReactorClientHttpConnector(http.client()))
                // Request details include the Authorization header.
                .codecs(codecs -> codecs.defaultCodecs().enableLoggingRequestDetails(false))
                .build();
    }

    @Override
    public void close() {
        pooled.close();
        fresh.close();
    }

    // --- requests and answers ------------------------------------------------------------------------------------

    /** Reads an answer's body on a thread that may block; {@code body} ends where the response does. */
    @FunctionalInterface
    interface BodyReader<B> {
        B read(int status, InputStream body) throws IOException;
    }

    /**
     * One call to make: JSON to send ({@code body}, null for none) and, for a body, the gate asked right before it is
     * written. Not a record: its key must not show in a {@code toString()}.
     */
    static final class Request<B> {

        final HttpMethod method;
        final URI url;
        final String key;
        final byte[] body;
        final SubmitGate gate;
        final BodyReader<B> reader;
        final Map<String, String> headers;

        private Request(HttpMethod method, URI url, String key, byte[] body, SubmitGate gate, BodyReader<B> reader,
                Map<String, String> headers) {
            this.headers = headers;
            this.method = method;
            this.url = url;
            this.key = key;
            this.body = body;
            this.gate = gate;
            this.reader = reader;
        }

        static <B> Request<B> of(HttpMethod method, URI url, String key, BodyReader<B> reader) {
            return new Request<>(method, url, key, null, null, reader, Map.of());
        }

        static <B> Request<B> gated(HttpMethod method, URI url, String key, byte[] body, SubmitGate gate, BodyReader<B> reader) {
            return new Request<>(method, url, key, Objects.requireNonNull(body, "body"), Objects.requireNonNull(gate, "gate"), reader,
                    Map.of());
        }

        /** The same call with one more header; never the key's. */
        Request<B> withHeader(String name, String value) {
            Map<String, String> more = new LinkedHashMap<>(headers);
            more.put(name, value);
            return new Request<>(method, url, key, body, gate, reader, Map.copyOf(more));
        }

        @Override
        public String toString() {
            return "Request[" + method + " " + url.getHost() + "]";
        }
    }

    /**
     * An answer, with its body as the call's {@link BodyReader} left it.
     *
     * @param retryAfter {@code Retry-After} as delta-seconds or HTTP-date; null when absent or unreadable
     * @param errorType {@code X-Fal-Error-Type}, the key masked; null when absent
     */
    record Reply<B>(int status, Duration retryAfter, String errorType, B body) {

        boolean is2xx() {
            return status >= 200 && status < 300;
        }
    }

    /**
     * Makes the call and interprets its answer. Never throws for a fault of the call: a failure without an answer is
     * {@link FalOutcome.Unavailable} with a reason that is safe to log, {@code answerLost} when the request may have
     * been written. An interrupted caller gets {@code "interrupted"} at once, with its interrupt flag kept.
     */
    <B, T> FalOutcome<T> execute(Request<B> request, Function<Reply<B>, FalOutcome<T>> interpret) {
        // block() would fail there anyway; failing here keeps it from being reported as fal being unavailable.
        if (Schedulers.isInNonBlockingThread()) {
            throw new IllegalStateException("fal calls block; call them from a virtual thread, not " + Thread.currentThread().getName());
        }
        if (Thread.currentThread().isInterrupted()) {
            // Subscribing would start the call before block() noticed the interrupt.
            return new FalOutcome.Unavailable<>(0, "interrupted", null, false);
        }
        Dispatch dispatch = new Dispatch();
        try {
            Reply<B> reply = exchange(request, dispatch);
            if (reply == null) {
                throw new IllegalStateException("no response");
            }
            return interpret.apply(reply);
        }
        catch (RuntimeException ex) {
            return failed(ex, dispatch);
        }
    }

    private <B> Reply<B> exchange(Request<B> request, Dispatch dispatch) {
        WebClient client = request.gate != null ? freshConnectionClient : webClient;
        WebClient.RequestBodySpec spec = client.method(request.method)
                .uri(request.url)
                .headers(headers -> {
                    headers.set(HttpHeaders.AUTHORIZATION, "Key " + request.key);
                    headers.setAccept(List.of(MediaType.APPLICATION_JSON));
                    request.headers.forEach(headers::set);
                });
        if (request.body != null) {
            spec.contentType(MediaType.APPLICATION_JSON);
        }
        return spec.body(inserter(request, dispatch))
                // The response is released once the returned Mono ends, so the body is read to its end inside it.
                .exchangeToMono(response -> read(response, request))
                .timeout(timeouts.longestCall())
                .block();
    }

    /**
     * Writes the request once Reactor Netty hands it an open connection. With a body the headers go out with it, in
     * one write, after the gate opened; without, they go out at once.
     */
    private static BodyInserter<Void, ClientHttpRequest> inserter(Request<?> request, Dispatch dispatch) {
        if (request.body == null) {
            return (message, context) -> Mono.defer(() -> dispatch.send() ? message.setComplete() : Mono.error(new NotSent()));
        }
        byte[] body = request.body;
        return (message, context) -> dispatch.ask(request.gate).then(Mono.defer(() -> {
            message.getHeaders().setContentLength(body.length);
            return message.writeWith(Mono.just(message.bufferFactory().wrap(body)));
        }));
    }

    private <B> Mono<Reply<B>> read(ClientResponse response, Request<B> request) {
        int status = response.statusCode().value();
        HttpHeaders headers = response.headers().asHttpHeaders();
        Duration retryAfter = RetryAfter.parse(headers.getFirst(HttpHeaders.RETRY_AFTER), Instant.now());
        String errorType = FalKeyMask.mask(headers.getFirst(ERROR_TYPE_HEADER), request.key);
        InputStream body = DataBufferUtils.subscriberInputStream(response.body(BodyExtractors.toDataBuffers()), BUFFERS_IN_FLIGHT);
        return offLoop("fal-answer", () -> {
            try (body) {
                B value = request.reader.read(status, body);
                drain(body);
                return new Reply<>(status, retryAfter, errorType, value);
            }
        }, () -> closeQuietly(body));
    }

    /**
     * Runs a blocking task on a virtual thread of its own. A cancel (the call's timeout, an interrupted caller) runs
     * {@code onCancel}, which must make the task end (close the stream it reads); what the task then throws is dropped.
     */
    private static <R> Mono<R> offLoop(String name, Callable<R> task, Runnable onCancel) {
        return Mono.create(sink -> {
            AtomicBoolean cancelled = new AtomicBoolean();
            sink.onCancel(() -> {
                cancelled.set(true);
                onCancel.run();
            });
            Thread.ofVirtual().name(name).start(() -> {
                R value;
                try {
                    value = task.call();
                }
                catch (Throwable ex) {
                    if (!cancelled.get()) {
                        sink.error(ex);
                    }
                    return;
                }
                sink.success(value);
            });
        });
    }

    private static void drain(InputStream body) throws IOException {
        byte[] scratch = new byte[8192];
        int total = 0;
        int read;
        while (total < MAX_DRAINED_BYTES && (read = body.read(scratch)) != -1) {
            total += read;
        }
    }

    private static void closeQuietly(InputStream body) {
        try {
            body.close();
        }
        catch (IOException | RuntimeException ex) {
            // Closing only stops the reader; nothing to report.
        }
    }

    /**
     * Where a call's request got to. {@code READY} until Reactor Netty applies it to an open connection; a gated
     * request then goes through {@code AT_GATE} to {@code SENT} or {@code SHUT}, one without a gate straight to
     * {@code SENT}. A call that ends while its request is still {@code READY} or {@code AT_GATE} turns it
     * {@code ENDED}, so a gate that opens afterwards finds nothing left to send.
     */
    private static final class Dispatch {

        enum State { READY, AT_GATE, SENT, SHUT, ENDED }

        private final AtomicReference<State> state = new AtomicReference<>(State.READY);
        // The caller's logging context, for what its gate logs on the gate's own thread.
        private final Map<String, String> callerContext = MDC.getCopyOfContextMap();
        private volatile String shutReason;

        /** Marks a request without a body as written; false when the call already ended. */
        boolean send() {
            return state.compareAndSet(State.READY, State.SENT);
        }

        /** Asks the gate, once, on a virtual thread: completes when it opened, fails when it stayed shut. */
        Mono<Void> ask(SubmitGate gate) {
            return offLoop("fal-submit-gate", () -> {
                if (!state.compareAndSet(State.READY, State.AT_GATE)) {
                    // Asked again (a second subscription), or the call ended before the gate was reached.
                    throw new NotSent();
                }
                boolean open;
                if (callerContext != null) {
                    MDC.setContextMap(callerContext);
                }
                try {
                    open = gate.open();
                }
                catch (Exception ex) {
                    log.warn("fal submit gate failed; the submit was not sent", ex);
                    shut("the submit gate failed (" + ex.getClass().getSimpleName() + ")");
                    throw new NotSent();
                }
                finally {
                    MDC.clear();
                }
                if (!open) {
                    shut("the submit was not permitted");
                    throw new NotSent();
                }
                if (!state.compareAndSet(State.AT_GATE, State.SENT)) {
                    throw new NotSent();
                }
                return null;
            }, () -> {
            });
        }

        private void shut(String reason) {
            shutReason = reason;
            state.compareAndSet(State.AT_GATE, State.SHUT);
        }

        /** Ends the call: from here on nothing more is written. Returns where the request got to. */
        State end() {
            State now = state.get();
            while ((now == State.READY || now == State.AT_GATE) && !state.compareAndSet(now, State.ENDED)) {
                now = state.get();
            }
            return now;
        }
    }

    /**
     * Fails a request that must not be written. Never a reason in an outcome; Reactor Netty logs it as an error the
     * connection observed, so its message says what happened.
     */
    private static final class NotSent extends RuntimeException {

        NotSent() {
            super("nothing was sent: the submit gate stayed shut, or the call had ended", null, false, false);
        }
    }

    private <T> FalOutcome<T> failed(RuntimeException failure, Dispatch dispatch) {
        Dispatch.State got = dispatch.end();
        boolean mayHaveSent = got == Dispatch.State.SENT;
        if (Thread.currentThread().isInterrupted() || Causes.find(failure, InterruptedException.class) != null) {
            // block() keeps the flag; set it again in case the interrupt came another way.
            Thread.currentThread().interrupt();
            return new FalOutcome.Unavailable<>(0, "interrupted", null, mayHaveSent);
        }
        return switch (got) {
            case SENT -> new FalOutcome.Unavailable<>(0, reason(failure), null, true);
            case SHUT -> new FalOutcome.Unavailable<>(0, "not sent: " + dispatch.shutReason, null, false);
            // The call ended while the gate was still deciding.
            case AT_GATE -> new FalOutcome.Unavailable<>(0, "not sent: " + reason(failure) + " at the submit gate", null, false);
            case READY, ENDED -> new FalOutcome.Unavailable<>(0, reason(failure), null, false);
        };
    }

    /** A short reason that is safe to log. */
    String reason(Throwable failure) {
        return timeouts.reason(failure);
    }
}
