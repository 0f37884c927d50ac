package com.ltxgateway.fal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.regex.Pattern;

import com.ltxgateway.Causes;
import com.ltxgateway.LimitedInputStream;
import com.ltxgateway.RetryAfter;
import com.ltxgateway.TransportFailure;

import io.netty.channel.ChannelOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.filter.FilteringParserDelegate;
import tools.jackson.core.filter.TokenFilter;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.core.io.buffer.DataBufferLimitException;
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
 * The HTTP side that fal's adapters share: a connection pool, the timeouts, no redirects and no automatic retries,
 * answers read off the event loop, and the rules that keep a key out of log lines, outcomes and exceptions.
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
 * much of it is kept: {@link #capped} everything up to a limit, {@link #tree} a JSON tree without {@code file_data},
 * or a reader of its own that keeps only what it needs.
 * <p>
 * <b>The key.</b> It is sent only as the {@code Authorization} header. Reasons are built from status codes and
 * exception types, never from messages. Every string taken from an answer has the key masked: whole bodies before
 * they are parsed ({@link #capped}), trees after ({@link #tree}), single values as they are read.
 */
final class FalHttp implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FalHttp.class);

    static final String REDACTED = "[redacted]";
    static final String ERROR_TYPE_HEADER = "X-Fal-Error-Type";
    // fal's error types are snake_case identifiers; anything else is not put into a loggable reason.
    static final Pattern SAFE_ERROR_TYPE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    // Long enough that masking cannot hit ordinary words in a body; real fal keys are far longer.
    private static final int MIN_REDACTABLE_KEY_LENGTH = 8;
    private static final int MAX_MESSAGE_LENGTH = 2000;
    private static final int BUFFERS_IN_FLIGHT = 16;
    // What is left after the reader stopped (trailing whitespace, usually nothing) is read so the connection can be
    // reused; past this much it is closed instead.
    private static final int MAX_DRAINED_BYTES = 64 * 1024;
    private static final JsonMapper JSON = JsonMapper.shared();
    // Reads one value out of a longer document (Jackson otherwise insists the document ends after it).
    private static final ObjectReader VALUE = JSON.readerFor(JsonNode.class).without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final WebClient webClient;
    private final WebClient freshConnectionClient;
    private final ConnectionProvider connections;
    private final Duration readTimeout;
    private final Duration callTimeout;

    FalHttp(String name, WebClient.Builder builder, FalProperties properties) {
        Duration connectTimeout = Objects.requireNonNullElse(properties.connectTimeout(), Duration.ofSeconds(5));
        this.readTimeout = Objects.requireNonNullElse(properties.readTimeout(), Duration.ofSeconds(30));
        // responseTimeout only bounds the gaps between reads, so a body trickling in could hold a caller's thread
        // forever; this caps the whole call: connect, the gate, the answer's headers, then its body.
        this.callTimeout = connectTimeout.plus(readTimeout).plus(readTimeout);
        // Load balancers drop idle keep-alive connections silently; retiring them early avoids the
        // "connection closed before response" failure on the next call that picks one up.
        this.connections = ConnectionProvider.builder(name)
                .maxIdleTime(Duration.ofSeconds(20))
                .maxLifeTime(Duration.ofMinutes(5))
                .evictInBackground(Duration.ofSeconds(30))
                .build();
        this.webClient = webClient(builder, HttpClient.create(connections), connectTimeout);
        // A gated request goes out on a connection of its own: a pooled one may have been dropped by the other end
        // while it sat idle, and once the gate opened a reset can no longer be told from a request fal received.
        this.freshConnectionClient = webClient(builder, HttpClient.create(ConnectionProvider.newConnection()), connectTimeout);
    }

    private WebClient webClient(WebClient.Builder builder, HttpClient client, Duration connectTimeout) {
        HttpClient httpClient = client
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                .responseTimeout(readTimeout)
                // A redirect would carry the Authorization header to wherever it points.
                .followRedirect(false)
                // A retry applies the request again: a second gate, a second body.
                .disableRetry(true);
        return builder.clone()
                .clientConnector(new ReactorClientHttpConnector(httpClient))
                // Request details include the Authorization header.
                .codecs(codecs -> codecs.defaultCodecs().enableLoggingRequestDetails(false))
                .build();
    }

    @Override
    public void close() {
        connections.dispose();
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

        private Request(HttpMethod method, URI url, String key, byte[] body, SubmitGate gate, BodyReader<B> reader) {
            this.method = method;
            this.url = url;
            this.key = key;
            this.body = body;
            this.gate = gate;
            this.reader = reader;
        }

        static <B> Request<B> of(HttpMethod method, URI url, String key, BodyReader<B> reader) {
            return new Request<>(method, url, key, null, null, reader);
        }

        static <B> Request<B> gated(HttpMethod method, URI url, String key, byte[] body, SubmitGate gate, BodyReader<B> reader) {
            return new Request<>(method, url, key, Objects.requireNonNull(body, "body"), Objects.requireNonNull(gate, "gate"), reader);
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
                });
        if (request.body != null) {
            spec.contentType(MediaType.APPLICATION_JSON);
        }
        return spec.body(inserter(request, dispatch))
                // The response is released once the returned Mono ends, so the body is read to its end inside it.
                .exchangeToMono(response -> read(response, request))
                .timeout(callTimeout)
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
        String errorType = mask(headers.getFirst(ERROR_TYPE_HEADER), request.key);
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
        return TransportFailure.reason(failure, readTimeout, callTimeout);
    }

    // --- readers -------------------------------------------------------------------------------------------------

    /**
     * The whole body, at most {@code maxBytes} of it (a larger one fails the call as "response too large"), the key
     * masked, as JSON; null when empty or not JSON.
     */
    static BodyReader<JsonNode> capped(int maxBytes, String key) {
        return (status, body) -> {
            byte[] bytes = body.readNBytes(maxBytes == Integer.MAX_VALUE ? maxBytes : maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw new DataBufferLimitException("answer larger than " + maxBytes + " bytes");
            }
            return parse(mask(bytes, key));
        };
    }

    /**
     * The body as a JSON tree, read as it arrives, any {@code file_data} property dropped unread (except where
     * {@code filter} says otherwise) and the key masked in every string; null when empty or not JSON. A body longer
     * than {@code maxBytes} fails the call as "response too large".
     */
    static BodyReader<JsonNode> tree(JsonMapper mapper, TokenFilter filter, long maxBytes, String key) {
        return (status, body) -> {
            try (JsonParser parser = new FilteringParserDelegate(mapper.createParser(limited(body, maxBytes)), filter,
                    TokenFilter.Inclusion.INCLUDE_ALL_AND_PATH, true)) {
                return parser.nextToken() == null ? null : mask(mapper.readTree(parser), key);
            }
            catch (JacksonException ex) {
                return null;
            }
        };
    }

    static BodyReader<JsonNode> tree(long maxBytes, String key) {
        return tree(JSON, WITHOUT_FILE_DATA, maxBytes, key);
    }

    /** Drops every {@code file_data} property: inline file contents, which can be megabytes and are never used. */
    static final TokenFilter WITHOUT_FILE_DATA = new SkipProperty("file_data");

    /** Includes everything but properties of one name, wherever they are; empty objects and arrays are kept. */
    static class SkipProperty extends TokenFilter {

        private final String skipped;

        SkipProperty(String skipped) {
            this.skipped = skipped;
        }

        @Override
        public TokenFilter includeProperty(String name) {
            return skipped.equals(name) ? null : this;
        }

        @Override
        public boolean includeEmptyObject(boolean contentsFiltered) {
            return true;
        }

        @Override
        public boolean includeEmptyArray(boolean contentsFiltered) {
            return true;
        }
    }

    /**
     * From an error answer's JSON object only {@code detail} and {@code error_type}, the rest skipped unread, the key
     * masked; null when the body is not a JSON object.
     */
    static JsonNode errorFields(InputStream body, String key) {
        try (JsonParser parser = JSON.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            ObjectNode fields = JSON.createObjectNode();
            while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                if ("detail".equals(name) || "error_type".equals(name)) {
                    fields.set(name, value(parser));
                }
                else {
                    parser.skipChildren();
                }
            }
            return mask(fields, key);
        }
        catch (JacksonException ex) {
            return null;
        }
    }

    /** The value the parser stands at, as a tree; the parser then stands at its last token. */
    static JsonNode value(JsonParser parser) {
        return VALUE.readValue(parser);
    }

    private static InputStream limited(InputStream body, long maxBytes) {
        return maxBytes == Long.MAX_VALUE ? body
                // Unchecked, so the parser passes it on instead of calling the body unparseable.
                : new LimitedInputStream(body, maxBytes, limit -> {
                    throw new DataBufferLimitException("answer larger than " + limit + " bytes");
                });
    }

    /** The body as JSON, or null when there is none or it does not parse (HTML error pages, truncation). */
    private static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(body);
            return node == null || node.isMissingNode() ? null : node;
        }
        catch (JacksonException ex) {
            return null;
        }
    }

    // --- the key ---------------------------------------------------------------------------------------------------

    private static boolean maskable(String key) {
        return key != null && key.length() >= MIN_REDACTABLE_KEY_LENGTH;
    }

    static String mask(String text, String key) {
        return text != null && maskable(key) && text.contains(key) ? text.replace(key, REDACTED) : text;
    }

    static byte[] mask(byte[] body, String key) {
        if (!maskable(key) || body.length < key.length()) {
            return body;
        }
        String text = new String(body, StandardCharsets.UTF_8);
        return text.contains(key) ? text.replace(key, REDACTED).getBytes(StandardCharsets.UTF_8) : body;
    }

    /** The tree with the key masked in every string and property name; containers are changed in place. */
    static JsonNode mask(JsonNode node, String key) {
        if (node == null || !maskable(key)) {
            return node;
        }
        if (node.isString()) {
            String text = node.stringValue();
            return text.contains(key) ? JSON.getNodeFactory().stringNode(text.replace(key, REDACTED)) : node;
        }
        if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                JsonNode item = array.get(i);
                JsonNode masked = mask(item, key);
                if (masked != item) {
                    array.set(i, masked);
                }
            }
        }
        else if (node instanceof ObjectNode object) {
            List<Map.Entry<String, JsonNode>> properties = new ArrayList<>(object.properties());
            boolean renamed = properties.stream().anyMatch(property -> property.getKey().contains(key));
            if (renamed) {
                object.removeAll();
            }
            for (Map.Entry<String, JsonNode> property : properties) {
                JsonNode masked = mask(property.getValue(), key);
                if (renamed) {
                    object.set(mask(property.getKey(), key), masked);
                }
                else if (masked != property.getValue()) {
                    object.set(property.getKey(), masked);
                }
            }
        }
        return node;
    }

    // --- classification ----------------------------------------------------------------------------------------

    /** The outcome of an answer that is not the one the protocol promises for the call, from its code and error body. */
    static <T> FalOutcome<T> classify(Reply<?> reply, JsonNode body) {
        int code = reply.status();
        if (code == 401 || code == 403) {
            return new FalOutcome.Unavailable<>(code, "HTTP " + code + " fal refused the key", reply.retryAfter(), false, true);
        }
        if (code == 429 || code >= 500 || code < 400) {
            String type = errorType(reply, body, null);
            String reason = "HTTP " + code + (type != null ? " " + type : "");
            return new FalOutcome.Unavailable<>(code, reason, reply.retryAfter());
        }
        JsonNode detail = detail(body);
        if (code == 422) {
            String message = detail != null ? summarize(detail) : "validation failed";
            return new FalOutcome.Rejected<>(code, new FalError("fal_validation_error", message, detail));
        }
        String message = detail != null ? summarize(detail) : "fal answered HTTP " + code;
        return new FalOutcome.Rejected<>(code, new FalError("fal_http_" + code, message, detail));
    }

    /** A 2xx whose body is not what the protocol promises: fal may have acted on the request. */
    static <T> FalOutcome<T> unparseable(Reply<?> reply) {
        return new FalOutcome.Unavailable<>(reply.status(), "HTTP " + reply.status() + " unparseable body", null, reply.is2xx());
    }

    /** fal's {@code detail}, when the body is a JSON object that has one. */
    static JsonNode detail(JsonNode body) {
        JsonNode detail = body != null && body.isObject() ? body.get("detail") : null;
        return detail == null || detail.isNull() ? null : detail;
    }

    /** {@code X-Fal-Error-Type}, else the body's {@code error_type}, restricted to identifier characters. */
    static String errorType(Reply<?> reply, JsonNode body, String fallback) {
        String type = reply.errorType();
        if (type == null) {
            type = body != null && body.isObject() ? text(body.get("error_type")) : null;
        }
        return type != null && SAFE_ERROR_TYPE.matcher(type).matches() ? type : fallback;
    }

    /**
     * A readable line for fal's {@code detail}: a plain string as is; FastAPI-style validation items as
     * {@code loc.path: msg}, joined by {@code "; "}.
     */
    static String summarize(JsonNode detail) {
        if (detail == null || detail.isNull() || detail.isMissingNode()) {
            return null;
        }
        if (!detail.isArray()) {
            return truncate(message(detail));
        }
        List<String> parts = new ArrayList<>();
        for (JsonNode item : detail.values()) {
            String msg = message(item.isObject() ? item.get("msg") : item);
            List<String> path = new ArrayList<>();
            JsonNode loc = item.isObject() ? item.get("loc") : null;
            if (loc != null && loc.isArray()) {
                loc.values().forEach(segment -> path.add(message(segment)));
            }
            parts.add(path.isEmpty() ? msg : String.join(".", path) + ": " + msg);
        }
        return truncate(String.join("; ", parts));
    }

    static String truncate(String text) {
        return text == null || text.length() <= MAX_MESSAGE_LENGTH ? text : text.substring(0, MAX_MESSAGE_LENGTH - 1) + "…";
    }

    // --- JSON values -------------------------------------------------------------------------------------------

    /** A string field, or null when absent or not a string. */
    static String text(JsonNode node) {
        return node != null && node.isString() ? node.stringValue() : null;
    }

    /** Any node as text: strings as they are, numbers and booleans printed, objects and arrays as JSON. */
    static String message(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isString()) {
            return node.stringValue();
        }
        return node.isValueNode() ? node.asString() : node.toString();
    }

    static Integer integer(JsonNode node) {
        return node != null && node.isIntegralNumber() && node.canConvertToInt() ? node.intValue() : null;
    }
}
