package com.ltxgateway.fal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An in-process stand-in for fal's queue API ({@code https://queue.fal.run}) serving
 * {@value #ENDPOINT_ID}, so tests can run the real adapter end to end.
 * <p>
 * Each accepted request is {@code IN_QUEUE} for {@link #queueDuration(Duration)}, {@code IN_PROGRESS} for
 * {@link #runDuration(Duration)} (logging "Step k/N" lines as it goes), then {@code COMPLETED}, with outputs or, when
 * {@link #failRunsWhen} matches its input, with an error. A request ends by its own clock, whether or not anyone asks
 * about it ({@link #requests()}). Faults ({@link #failNext}, {@link #delayNext}, {@link #rejectSubmissions}) apply to
 * calls in arrival order; the variants taking a {@link Call} predicate only to the calls they match, so tests sharing
 * one server can aim faults at their own trainings. Every call is recorded ({@link #received()}). All methods are
 * thread-safe.
 *
 * <pre>{@code
 * try (var fal = FakeFalServer.start("test-key")) {
 *     fal.queueDuration(Duration.ZERO).runDuration(Duration.ofMillis(200));
 *     FalEndpoint endpoint = fal.endpoint();
 *     ...
 * }
 * }</pre>
 */
public final class FakeFalServer implements AutoCloseable {

    public static final String ENDPOINT_ID = "fal-ai/ltx23-trainer-v2/interpolate";
    public static final String SUBMIT = "submit";
    public static final String STATUS = "status";
    public static final String RESULT = "result";
    public static final String CANCEL = "cancel";

    private static final String APP_PATH = "/fal-ai/ltx23-trainer-v2";
    private static final Pattern REQUEST_PATH = Pattern.compile(APP_PATH + "/requests/([^/]+)(/status|/cancel)?");
    private static final JsonMapper JSON = JsonMapper.shared();

    /** One accepted submit, as fal received it. */
    public record Submission(String requestId, JsonNode input, URI webhookUrl, Instant receivedAt) {
    }

    /**
     * One call as it arrived, faulted or not.
     *
     * @param operation {@link #SUBMIT}, {@link #STATUS}, {@link #RESULT}, {@link #CANCEL} or "other"
     * @param requestId the request a status, result or cancel call names; null for a submit
     * @param input the submitted input: the body of a submit, the original input of the request a later call names;
     * null when unknown
     */
    public record Call(String operation, String requestId, JsonNode input, Instant receivedAt) {

        /** The {@code training_data_url} of the input, or null. */
        public String trainingDataUrl() {
            return input == null || !input.path("training_data_url").isString() ? null
                    : input.get("training_data_url").stringValue();
        }
    }

    /** How a request ended. */
    public enum Outcome {
        SUCCEEDED, FAILED, CANCELED
    }

    /**
     * A request as fal knows it right now.
     *
     * @param state IN_QUEUE, IN_PROGRESS or COMPLETED
     * @param startedAt when it left the queue; null while queued, and for a request canceled in the queue
     * @param endedAt when it ended (completed, failed or was canceled); null while it has not
     * @param outcome how it ended; null while it has not
     */
    public record Request(String requestId, JsonNode input, String state, Instant sentAt, Instant startedAt, Instant endedAt,
            Outcome outcome) {
    }

    /** A canned response for {@link #failNext}. */
    private record Fault(Predicate<Call> when, int status, Map<String, String> headers, String body) {
    }

    private record Delay(Predicate<Call> when, Duration delay) {
    }

    private record RunFailure(Predicate<JsonNode> when, int httpStatus, String errorType, String message) {
    }

    /** What the result call answers for an ended request. */
    private record Answer(int status, String errorType, ObjectNode body) {
    }

    private static final class Job {
        final String id;
        final JsonNode input;
        final long submittedNanos;
        final Instant submittedAt;
        final RunFailure failure;
        final long queueNanos;
        final long runNanos;
        final int steps;
        /** How long after submission it was canceled, or -1; guarded by this, so a cancel and a read see one history. */
        private long canceledAfterNanos = -1;

        Job(String id, JsonNode input, RunFailure failure, long queueNanos, long runNanos, int steps) {
            this.id = id;
            this.input = input;
            this.submittedNanos = System.nanoTime();
            this.submittedAt = Instant.now();
            this.failure = failure;
            this.queueNanos = queueNanos;
            this.runNanos = runNanos;
            this.steps = steps;
        }

        long elapsed() {
            return System.nanoTime() - submittedNanos;
        }

        synchronized boolean canceled() {
            return canceledAfterNanos >= 0;
        }

        synchronized String state() {
            return state(elapsed());
        }

        /** Cancels it unless it has ended already; returns the state it was in. */
        synchronized String cancel() {
            long elapsed = elapsed();
            String state = state(elapsed);
            if (!state.equals("COMPLETED")) {
                canceledAfterNanos = elapsed;
            }
            return state;
        }

        synchronized Request snapshot() {
            long elapsed = elapsed();
            boolean canceled = canceled();
            long endsAfter = canceled ? canceledAfterNanos : queueNanos + runNanos;
            boolean started = canceled ? canceledAfterNanos >= queueNanos : elapsed >= queueNanos;
            boolean ended = elapsed >= endsAfter;
            Outcome outcome = !ended ? null : canceled ? Outcome.CANCELED : failure != null ? Outcome.FAILED : Outcome.SUCCEEDED;
            return new Request(id, input, state(elapsed), submittedAt, started ? submittedAt.plusNanos(queueNanos) : null,
                    ended ? submittedAt.plusNanos(endsAfter) : null, outcome);
        }

        private String state(long elapsed) {
            if (canceled() || elapsed >= queueNanos + runNanos) {
                return "COMPLETED";
            }
            return elapsed < queueNanos ? "IN_QUEUE" : "IN_PROGRESS";
        }
    }

    private final String key;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final List<Submission> submissions = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final List<Call> received = new CopyOnWriteArrayList<>();
    private final Deque<Fault> faults = new ArrayDeque<>();
    private final Deque<Delay> delays = new ArrayDeque<>();
    private volatile Duration queueDuration = Duration.ZERO;
    private volatile Duration runDuration = Duration.ofMillis(300);
    private volatile int steps = 4;
    private volatile RunFailure runFailure;
    private volatile String submitRejection;

    private FakeFalServer(String key) {
        this.key = Objects.requireNonNull(key);
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a server on 127.0.0.1 and a random port that accepts {@code Authorization: Key <key>}. */
    public static FakeFalServer start(String key) {
        return new FakeFalServer(key);
    }

    /** Base URL, the stand-in for {@code https://queue.fal.run}. */
    public URI queueUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public FalEndpoint endpoint() {
        return new FalEndpoint(queueUrl(), ENDPOINT_ID, key);
    }

    /** How long each request submitted from now on waits in the queue (default 0). */
    public FakeFalServer queueDuration(Duration duration) {
        queueDuration = duration;
        return this;
    }

    /** How long each request submitted from now on runs (default 300 ms). */
    public FakeFalServer runDuration(Duration duration) {
        runDuration = duration;
        return this;
    }

    /** How many "Step k/N" log lines a run writes, spread over its run duration (default 4). */
    public FakeFalServer steps(int count) {
        steps = count;
        return this;
    }

    /**
     * Requests submitted from now on whose input matches end in an error: status COMPLETED with {@code error} and
     * {@code error_type}, result {@code httpStatus} with {@code {"detail": message}} (and {@code X-Fal-Error-Type}
     * when {@code errorType} is not null). Pass {@code null} to let every run succeed again.
     */
    public FakeFalServer failRunsWhen(Predicate<JsonNode> when, int httpStatus, String errorType, String message) {
        runFailure = when == null ? null : new RunFailure(when, httpStatus, errorType, message);
        return this;
    }

    /** The next {@code count} calls, of any kind, get this response instead of being served. */
    public void failNext(int count, int httpStatus, Map<String, String> headers, String body) {
        failNext(count, call -> true, httpStatus, headers, body);
    }

    /** The next {@code count} calls that match {@code when} get this response instead of being served. */
    public void failNext(int count, Predicate<Call> when, int httpStatus, Map<String, String> headers, String body) {
        Objects.requireNonNull(when, "when");
        synchronized (faults) {
            for (int i = 0; i < count; i++) {
                faults.add(new Fault(when, httpStatus, headers == null ? Map.of() : Map.copyOf(headers), body == null ? "" : body));
            }
        }
    }

    /** The next {@code count} calls, of any kind, wait this long before anything is answered. */
    public void delayNext(int count, Duration delay) {
        delayNext(count, call -> true, delay);
    }

    /** The next {@code count} calls that match {@code when} wait this long before anything is answered. */
    public void delayNext(int count, Predicate<Call> when, Duration delay) {
        Objects.requireNonNull(when, "when");
        synchronized (delays) {
            for (int i = 0; i < count; i++) {
                delays.add(new Delay(when, delay));
            }
        }
    }

    /** Every submit gets HTTP 422 with this body (e.g. {@code {"detail":[...]}}) until called with null. */
    public void rejectSubmissions(String body) {
        submitRejection = body;
    }

    public List<Submission> submissions() {
        return List.copyOf(submissions);
    }

    public int submitCount() {
        return submissions.size();
    }

    /** Calls received for {@link #SUBMIT}, {@link #STATUS}, {@link #RESULT} or {@link #CANCEL}, faults included. */
    public int callCount(String operation) {
        AtomicInteger count = calls.get(operation);
        return count == null ? 0 : count.get();
    }

    /** Every call received so far, in arrival order, faulted ones included. */
    public List<Call> received() {
        return List.copyOf(received);
    }

    /** IN_QUEUE, IN_PROGRESS, COMPLETED, or null for an unknown id. */
    public String state(String requestId) {
        Job job = jobs.get(requestId);
        return job == null ? null : job.state();
    }

    /** Every request fal accepted, as it stands now, in submission order. */
    public List<Request> requests() {
        return jobsInOrder().stream().map(Job::snapshot).toList();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    // --- protocol ------------------------------------------------------------------------------------------------

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            Matcher request = REQUEST_PATH.matcher(path);
            String operation;
            if (method.equals("POST") && path.equals("/" + ENDPOINT_ID)) {
                operation = SUBMIT;
            }
            else if (request.matches() && method.equals("GET")) {
                operation = "/status".equals(request.group(2)) ? STATUS : request.group(2) == null ? RESULT : "other";
            }
            else if (request.matches() && method.equals("PUT") && "/cancel".equals(request.group(2))) {
                operation = CANCEL;
            }
            else {
                operation = "other";
            }
            calls.computeIfAbsent(operation, op -> new AtomicInteger()).incrementAndGet();
            String requestId = request.matches() ? request.group(1) : null;
            Job named = requestId == null ? null : jobs.get(requestId);
            Call call = new Call(operation, requestId, operation.equals(SUBMIT) ? parseOrNull(body) : named == null ? null : named.input,
                    Instant.now());
            received.add(call);

            Delay delay;
            synchronized (delays) {
                delay = takeFirst(delays, d -> d.when().test(call));
            }
            if (delay != null) {
                try {
                    Thread.sleep(delay.delay());
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            Fault fault;
            synchronized (faults) {
                fault = takeFirst(faults, f -> f.when().test(call));
            }
            if (fault != null) {
                fault.headers().forEach(exchange.getResponseHeaders()::set);
                send(exchange, fault.status(), fault.body());
                return;
            }
            if (!("Key " + key).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                send(exchange, 401, "{\"detail\":\"Invalid authorization\"}");
                return;
            }
            switch (operation) {
                case SUBMIT -> submit(exchange, body);
                case STATUS -> status(exchange, request.group(1));
                case RESULT -> result(exchange, request.group(1));
                case CANCEL -> cancel(exchange, request.group(1));
                default -> send(exchange, 404, "{\"detail\":\"Not Found\"}");
            }
        }
    }

    private void submit(HttpExchange exchange, byte[] body) throws IOException {
        String rejection = submitRejection;
        if (rejection != null) {
            send(exchange, 422, rejection);
            return;
        }
        JsonNode input;
        try {
            input = JSON.readTree(body);
        }
        catch (RuntimeException ex) {
            send(exchange, 422, "{\"detail\":\"Request body is not valid JSON\"}");
            return;
        }
        RunFailure failure = runFailure;
        Job job = new Job(UUID.randomUUID().toString(), input, failure != null && failure.when().test(input) ? failure : null,
                queueDuration.toNanos(), runDuration.toNanos(), steps);
        jobs.put(job.id, job);
        submissions.add(new Submission(job.id, input, webhook(exchange.getRequestURI().getRawQuery()), job.submittedAt));

        ObjectNode response = urls(job.id);
        response.put("status", "IN_QUEUE");
        response.put("queue_position", queuePosition(job));
        send(exchange, 200, response.toString());
    }

    private void status(HttpExchange exchange, String id) throws IOException {
        Job job = jobs.get(id);
        if (job == null) {
            send(exchange, 404, "{\"detail\":\"Request not found\"}");
            return;
        }
        String state = job.state();
        ObjectNode response = urls(id);
        response.put("status", state);
        boolean withLogs = "1".equals(queryParam(exchange.getRequestURI().getRawQuery(), "logs"));
        switch (state) {
            case "IN_QUEUE" -> {
                response.put("queue_position", queuePosition(job));
                response.putNull("logs");
            }
            case "IN_PROGRESS" -> response.set("logs", withLogs ? logs(job, false) : null);
            default -> {
                response.set("logs", withLogs ? logs(job, true) : null);
                response.putObject("metrics").put("inference_time", job.runNanos / 1e9);
                if (job.canceled()) {
                    response.put("error", "Request was cancelled");
                }
                else if (job.failure != null) {
                    response.put("error", job.failure.message());
                    if (job.failure.errorType() != null) {
                        response.put("error_type", job.failure.errorType());
                    }
                }
            }
        }
        send(exchange, state.equals("COMPLETED") ? 200 : 202, response.toString());
    }

    private void result(HttpExchange exchange, String id) throws IOException {
        Job job = jobs.get(id);
        if (job == null) {
            send(exchange, 404, "{\"detail\":\"Request not found\"}");
            return;
        }
        Request request = job.snapshot();
        if (request.outcome() == null) {
            send(exchange, 400, "{\"detail\":\"Request is still in progress\"}");
            return;
        }
        Answer answer = answer(job, request.outcome());
        if (answer.errorType() != null) {
            exchange.getResponseHeaders().set("X-Fal-Error-Type", answer.errorType());
        }
        send(exchange, answer.status(), answer.body().toString());
    }

    private void cancel(HttpExchange exchange, String id) throws IOException {
        Job job = jobs.get(id);
        if (job == null) {
            send(exchange, 404, "{\"status\":\"NOT_FOUND\"}");
            return;
        }
        switch (job.cancel()) {
            case "IN_QUEUE" -> send(exchange, 202, "{\"status\":\"OK\"}");
            // fal stops the runner and reports the request COMPLETED; here that happens at once.
            case "IN_PROGRESS" -> send(exchange, 202, "{\"status\":\"CANCELLATION_REQUESTED\"}");
            default -> send(exchange, 400, "{\"status\":\"ALREADY_COMPLETED\"}");
        }
    }

    /** What the result call answers for a request that ended this way. */
    private Answer answer(Job job, Outcome outcome) {
        return switch (outcome) {
            case CANCELED -> new Answer(400, null, JSON.createObjectNode().put("detail", "Request was cancelled"));
            case FAILED -> {
                ObjectNode error = JSON.createObjectNode().put("detail", job.failure.message());
                if (job.failure.errorType() != null) {
                    error.put("error_type", job.failure.errorType());
                }
                yield new Answer(job.failure.httpStatus(), job.failure.errorType(), error);
            }
            case SUCCEEDED -> {
                ObjectNode output = JSON.createObjectNode();
                output.set("lora_file", file(job.id, "pytorch_lora_weights.safetensors", "application/octet-stream", 163_577_856));
                output.set("config_file", file(job.id, "config.json", "application/json", 1_024));
                output.set("video", file(job.id, "validation.mp4", "video/mp4", 2_097_152));
                yield new Answer(200, null, output);
            }
        };
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    private static <T> T takeFirst(Deque<T> queue, Predicate<T> matching) {
        for (var it = queue.iterator(); it.hasNext();) {
            T item = it.next();
            if (matching.test(item)) {
                it.remove();
                return item;
            }
        }
        return null;
    }

    private List<Job> jobsInOrder() {
        return jobs.values().stream().sorted(Comparator.comparingLong(job -> job.submittedNanos)).toList();
    }

    private static JsonNode parseOrNull(byte[] body) {
        try {
            return body.length == 0 ? null : JSON.readTree(body);
        }
        catch (RuntimeException ex) {
            return null;
        }
    }

    private ObjectNode urls(String id) {
        String base = queueUrl() + APP_PATH + "/requests/" + id;
        ObjectNode node = JSON.createObjectNode();
        node.put("request_id", id);
        node.put("response_url", base);
        node.put("status_url", base + "/status");
        node.put("cancel_url", base + "/cancel");
        return node;
    }

    private int queuePosition(Job job) {
        return (int) jobs.values().stream()
                .filter(other -> other.submittedNanos < job.submittedNanos && other.state().equals("IN_QUEUE"))
                .count();
    }

    /** "Loading dataset", then one "Step k/N" per elapsed N-th of the run, then a closing line on success. */
    private static ArrayNode logs(Job job, boolean completed) {
        ArrayNode logs = JSON.createArrayNode();
        Instant started = job.submittedAt.plusNanos(job.queueNanos);
        logs.add(logLine("Loading dataset", started));
        long ran = Math.max(0, job.elapsed() - job.queueNanos);
        long stepNanos = Math.max(1, job.runNanos / Math.max(1, job.steps));
        boolean canceled = job.canceled();
        int done = completed && !canceled ? job.steps : (int) Math.min(job.steps, ran / stepNanos);
        for (int step = 1; step <= done; step++) {
            logs.add(logLine("Step " + step + "/" + job.steps, started.plusNanos(step * stepNanos)));
        }
        if (completed && !canceled && job.failure == null) {
            logs.add(logLine("Training complete", started.plusNanos(job.runNanos)));
        }
        return logs;
    }

    private static ObjectNode logLine(String message, Instant at) {
        return JSON.createObjectNode()
                .put("message", message)
                .put("level", "INFO")
                .put("source", "stdout")
                .put("timestamp", at.toString());
    }

    private ObjectNode file(String id, String name, String contentType, long size) {
        return JSON.createObjectNode()
                .put("url", "https://v3.fal.media/files/fake/" + id + "/" + name)
                .put("content_type", contentType)
                .put("file_name", name)
                .put("file_size", size);
    }

    private static URI webhook(String rawQuery) {
        String value = queryParam(rawQuery, "fal_webhook");
        return value == null ? null : URI.create(value);
    }

    private static String queryParam(String rawQuery, String name) {
        if (rawQuery == null) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String pairName = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            if (pairName.equals(name)) {
                return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (!exchange.getResponseHeaders().containsKey("Content-Type")) {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
        }
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
