package com.ltxgateway.fal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An in-process stand-in for fal's queue API ({@code https://queue.fal.run}) serving {@value #ENDPOINT_ID}, and for
 * the part of its Platform API ({@code https://api.fal.ai/v1}) that lists requests and billing events, so tests can
 * run the real adapter end to end.
 * <p>
 * Each accepted request is {@code IN_QUEUE} for {@link #queueDuration(Duration)}, {@code IN_PROGRESS} for
 * {@link #runDuration(Duration)} (logging "Step k/N" lines as it goes), then {@code COMPLETED}, with outputs or, when
 * {@link #failRunsWhen} matches its input, with an error. A request ends by its own clock, whether or not anyone asks
 * about it: the listing, the billing events and the webhooks ({@link #sendWebhooks}) see it end on time. Faults
 * ({@link #failNext}, {@link #delayNext}, {@link #dropAnswerNext}, {@link #rejectSubmissions}) apply to calls in
 * arrival order; the variants taking a {@link Call} predicate only to the calls they match, so tests sharing one
 * server can aim faults at their own trainings. {@link #chaos} adds random faults on top. Every call is recorded
 * ({@link #received()}). All methods are thread-safe.
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
    /** {@code GET /v1/models/requests/by-endpoint} of the Platform API. */
    public static final String REQUESTS = "requests";
    /** {@code GET /v1/models/billing-events} of the Platform API. */
    public static final String BILLING = "billing";
    /** {@code GET /v1/models/pricing} of the Platform API. */
    public static final String PRICING = "pricing";

    private static final String APP_PATH = "/fal-ai/ltx23-trainer-v2";
    private static final Pattern REQUEST_PATH = Pattern.compile(APP_PATH + "/requests/([^/]+)(/status|/cancel)?");
    private static final String PLATFORM_PATH = "/v1";
    private static final JsonMapper JSON = JsonMapper.shared();
    /** What fal bills per training step, in USD. */
    private static final BigDecimal UNIT_PRICE = new BigDecimal("0.0024");
    /** The model's default {@code number_of_steps}, billed when the input leaves it out. */
    private static final BigDecimal DEFAULT_STEPS = BigDecimal.valueOf(2000);
    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_LIMIT = 100;
    private static final Set<String> REQUESTS_PARAMETERS = Set.of("endpoint_id", "start", "end", "limit", "cursor", "expand", "request_id");
    private static final Set<String> BILLING_PARAMETERS = Set.of("endpoint_id", "start", "end", "limit", "cursor", "request_id");
    private static final Set<String> PRICING_PARAMETERS = Set.of("endpoint_id", "limit", "cursor");
    /** How long fal waits for a webhook receiver to connect, and then to answer. */
    private static final Duration WEBHOOK_TIMEOUT = Duration.ofSeconds(2);
    /** The waits between a failed webhook delivery and the next attempt: ten attempts in all, over about two minutes. */
    private static final List<Duration> WEBHOOK_RETRY_WAITS = List.of(Duration.ofMillis(200), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8), Duration.ofSeconds(16),
            Duration.ofSeconds(32), Duration.ofSeconds(64));

    /**
     * One accepted submit, as fal received it; a submit whose answer was dropped was accepted too.
     *
     * @param priority its {@code X-Fal-Queue-Priority}, null when it had none
     */
    public record Submission(String requestId, JsonNode input, URI webhookUrl, Instant receivedAt, String priority) {
    }

    /**
     * One call as it arrived, faulted or not.
     *
     * @param operation {@link #SUBMIT}, {@link #STATUS}, {@link #RESULT}, {@link #CANCEL}, {@link #REQUESTS},
     * {@link #BILLING} or "other"
     * @param requestId the request a status, result or cancel call names; null for a submit and a Platform API call
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

    /**
     * What fal billed for one successful request.
     *
     * @param timestamp when the request completed
     * @param outputUnits the training steps: the input's {@code number_of_steps}, or the model's default of 2000
     * @param unitPrice USD per step, as {@link #unitPrice(BigDecimal)} set it when the request was submitted
     */
    public record BillingEvent(String requestId, String endpointId, Instant timestamp, BigDecimal outputUnits, BigDecimal unitPrice,
            BigDecimal percentDiscount, long costEstimateNanoUsd) {

        /** The cost in USD, as the gateway reads it from {@code cost_estimate_nano_usd}. */
        public BigDecimal costUsd() {
            return BigDecimal.valueOf(costEstimateNanoUsd, 9);
        }
    }

    /**
     * One attempt at a webhook delivery ({@link #sendWebhooks}).
     *
     * @param attempt 1 for the first
     * @param url where it was posted, after {@link #webhookTarget}
     * @param status the receiver's HTTP status; null when there was no answer
     * @param error why there was no answer (the exception, or "dropped" for {@link #dropWebhooks}); null otherwise
     */
    public record WebhookDelivery(String requestId, int attempt, URI url, Integer status, String error, Instant at) {

        public boolean delivered() {
            return status != null && status >= 200 && status < 300;
        }
    }

    /**
     * Random faults for {@link #chaos}: each submit independently gets a 503 ({@code runner_scheduling_failure}) with
     * probability {@code submit503}, a 429 with {@code submit429}, or is accepted with its answer lost with
     * {@code submitAnswerDropped}; each status call gets a 500 with {@code status500}. The same seed gives the same
     * faults for the same sequence of calls.
     */
    public record Chaos(long seed, double submit503, double submit429, double status500, double submitAnswerDropped) {

        /** The kinds of fault chaos injects, as {@link FakeFalServer#injected()} counts them. */
        public enum Kind {
            SUBMIT_503, SUBMIT_429, STATUS_500, SUBMIT_ANSWER_DROPPED
        }

        public Chaos {
            for (double p : new double[] {submit503, submit429, status500, submitAnswerDropped}) {
                if (!(p >= 0 && p <= 1)) {
                    throw new IllegalArgumentException("a probability must be between 0 and 1: " + p);
                }
            }
            if (submit503 + submit429 + submitAnswerDropped > 1) {
                throw new IllegalArgumentException("a submit gets at most one fault: the submit probabilities add up to more than 1");
            }
        }
    }

    /** A canned response for {@link #failNext}. */
    private record Fault(Predicate<Call> when, int status, Map<String, String> headers, String body) {
    }

    private record Delay(Predicate<Call> when, Duration delay) {
    }

    private record RunFailure(Predicate<JsonNode> when, int httpStatus, String errorType, String message) {
    }

    /** What the result call answers for an ended request; also what the listing and webhooks show of it. */
    private record Answer(int status, String errorType, ObjectNode body) {
    }

    private record WebhookSender(FakeFalWebhooks signer, String userId) {
    }

    /** The chaos in force, drawing from its own seeded generator (Random is thread-safe). */
    private record ChaosRun(Chaos settings, Random random) {

        Chaos.Kind onSubmit() {
            double draw = random.nextDouble();
            if (draw < settings.submit503()) {
                return Chaos.Kind.SUBMIT_503;
            }
            draw -= settings.submit503();
            if (draw < settings.submit429()) {
                return Chaos.Kind.SUBMIT_429;
            }
            draw -= settings.submit429();
            return draw < settings.submitAnswerDropped() ? Chaos.Kind.SUBMIT_ANSWER_DROPPED : null;
        }

        Chaos.Kind onStatus() {
            return random.nextDouble() < settings.status500() ? Chaos.Kind.STATUS_500 : null;
        }
    }

    /** A Platform API query parameter fal would refuse with 422. */
    private static final class InvalidParameter extends RuntimeException {

        private final String parameter;
        private final String type;

        InvalidParameter(String parameter, String type, String message) {
            // An answer to send, not a failure to trace.
            super(message, null, false, false);
            this.parameter = parameter;
            this.type = type;
        }

        /** fal's validation error: {@code {"detail": [{loc, msg, type}]}}. */
        String body() {
            ObjectNode error = JSON.createObjectNode();
            error.putArray("loc").add("query").add(parameter);
            error.put("msg", getMessage()).put("type", type);
            ObjectNode body = JSON.createObjectNode();
            body.putArray("detail").add(error);
            return body.toString();
        }
    }

    /** The filters and page of a Platform API list call. */
    private record ListQuery(Set<String> endpointIds, Set<String> requestIds, Instant start, Instant end, int page, int limit,
            boolean payloads) {

        /** Reads the query the way fal does: unknown parameters and malformed values are refused. */
        static ListQuery parse(String rawQuery, Set<String> known, boolean endpointRequired) {
            Map<String, List<String>> query = queryParams(rawQuery);
            for (String name : query.keySet()) {
                if (!known.contains(name)) {
                    throw new InvalidParameter(name, "extra_forbidden", "Extra inputs are not permitted");
                }
            }
            Set<String> endpointIds = listed(query, "endpoint_id");
            if (endpointRequired && endpointIds.isEmpty()) {
                throw new InvalidParameter("endpoint_id", "missing", "Field required");
            }
            Instant now = Instant.now();
            Instant start = instant(query, "start", now.minus(Duration.ofHours(24)));
            Instant end = instant(query, "end", now);
            int limit = limit(query);
            int page = page(query);
            boolean payloads = false;
            for (String expand : listed(query, "expand")) {
                if (!expand.equals("payloads")) {
                    throw new InvalidParameter("expand", "enum", "Input should be 'payloads'");
                }
                payloads = true;
            }
            return new ListQuery(endpointIds, listed(query, "request_id"), start, end, page, limit, payloads);
        }

        boolean inWindow(Instant at) {
            return !at.isBefore(start) && at.isBefore(end);
        }

        boolean matches(String endpointId, String requestId) {
            return (endpointIds.isEmpty() || endpointIds.contains(endpointId)) && (requestIds.isEmpty() || requestIds.contains(requestId));
        }

        /** This query's page of {@code all}, with fal's {@code next_cursor} (the next page number, base64) and {@code has_more}. */
        ObjectNode pageOf(String field, List<ObjectNode> all) {
            int from = (int) Math.min(all.size(), (long) (page - 1) * limit);
            int to = Math.min(all.size(), from + limit);
            boolean more = to < all.size();
            ObjectNode response = JSON.createObjectNode();
            response.putArray(field).addAll(all.subList(from, to));
            String next = Integer.toString(page + 1);
            response.put("next_cursor", more ? Base64.getEncoder().encodeToString(next.getBytes(StandardCharsets.UTF_8)) : null);
            response.put("has_more", more);
            return response;
        }

        /** Repeated or comma-separated values, as fal takes {@code endpoint_id} and {@code request_id}. */
        private static Set<String> listed(Map<String, List<String>> query, String name) {
            Set<String> values = new LinkedHashSet<>();
            for (String value : query.getOrDefault(name, List.of())) {
                for (String item : value.split(",")) {
                    if (!item.isBlank()) {
                        values.add(item.strip());
                    }
                }
            }
            if (values.size() > 50) {
                throw new InvalidParameter(name, "too_long", "List should have at most 50 items");
            }
            return values;
        }

        private static String single(Map<String, List<String>> query, String name) {
            List<String> values = query.get(name);
            return values == null ? null : values.getLast();
        }

        /** An ISO-8601 instant, or a date for its midnight UTC, as fal's examples show both. */
        private static Instant instant(Map<String, List<String>> query, String name, Instant absent) {
            String value = single(query, name);
            if (value == null) {
                return absent;
            }
            try {
                return value.contains("T") ? Instant.parse(value) : LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            catch (DateTimeParseException ex) {
                throw new InvalidParameter(name, "datetime_parsing", "Input should be a valid datetime");
            }
        }

        private static int limit(Map<String, List<String>> query) {
            String value = single(query, "limit");
            if (value == null) {
                return DEFAULT_LIMIT;
            }
            int limit;
            try {
                limit = Integer.parseInt(value);
            }
            catch (NumberFormatException ex) {
                throw new InvalidParameter("limit", "int_parsing", "Input should be a valid integer");
            }
            if (limit < 1) {
                throw new InvalidParameter("limit", "greater_than_equal", "Input should be greater than or equal to 1");
            }
            if (limit > MAX_LIMIT) {
                throw new InvalidParameter("limit", "less_than_equal", "Input should be less than or equal to " + MAX_LIMIT);
            }
            return limit;
        }

        private static int page(Map<String, List<String>> query) {
            String cursor = single(query, "cursor");
            if (cursor == null) {
                return 1;
            }
            try {
                int page = Integer.parseInt(new String(Base64.getDecoder().decode(cursor), StandardCharsets.UTF_8));
                if (page >= 1) {
                    return page;
                }
            }
            catch (IllegalArgumentException ex) {
                // NumberFormatException included: not a cursor this server handed out.
            }
            throw new InvalidParameter("cursor", "value_error", "Invalid cursor");
        }
    }

    private static final class Job {
        final String id;
        final JsonNode input;
        final URI webhookUrl;
        /** Its place in fal's one queue: the order of submission. */
        final long sequence;
        final long submittedNanos;
        final Instant submittedAt;
        final RunFailure failure;
        final long queueNanos;
        final long runNanos;
        final int steps;
        final BigDecimal unitPrice;
        /** Set once its webhook has been sent, so a cancel and the end of its run do not both announce it. */
        final AtomicBoolean announced = new AtomicBoolean();
        /** How long after submission it was canceled, or -1; guarded by this, so a cancel and a read see one history. */
        private long canceledAfterNanos = -1;

        Job(long sequence, String id, JsonNode input, URI webhookUrl, RunFailure failure, long queueNanos, long runNanos, int steps,
                BigDecimal unitPrice) {
            this.sequence = sequence;
            this.id = id;
            this.input = input;
            this.webhookUrl = webhookUrl;
            this.submittedNanos = System.nanoTime();
            this.submittedAt = Instant.now();
            this.failure = failure;
            this.queueNanos = queueNanos;
            this.runNanos = runNanos;
            this.steps = steps;
            this.unitPrice = unitPrice;
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
    private final String adminKey;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    /** Where output files are served, as fal's CDN would: {@code /files/fake/<request id>/<file name>}. */
    public static final String FILES_PATH = "/files/fake/";
    private static final Map<String, Long> FILE_SIZES = Map.of("pytorch_lora_weights.safetensors", 262_144L, "config.json", 1_024L,
            "validation.mp4", 65_536L);
    private final List<Map.Entry<Predicate<String>, Integer>> fileFaults = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicInteger fileDownloads = new AtomicInteger();
    /** Output files are sent at most this fast (bytes per second); 0: as fast as the connection goes. */
    private volatile long fileBytesPerSecond;
    /** Finds requests as they end, and times webhook retries; the work itself runs on {@link #executor}. */
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().factory());
    private final HttpClient webhookClient = HttpClient.newBuilder().connectTimeout(WEBHOOK_TIMEOUT).build();
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final AtomicLong submitted = new AtomicLong();
    /**
     * Requests that may still be in the queue, by {@link Job#sequence}; one found to have left it is dropped then, as it
     * never returns. A queue position counts only these, not every request this server has taken.
     */
    private final ConcurrentNavigableMap<Long, Job> queued = new ConcurrentSkipListMap<>();
    private final List<Submission> submissions = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final List<Call> received = Collections.synchronizedList(new ArrayList<>());
    private final Deque<Fault> faults = new ArrayDeque<>();
    private final Deque<Delay> delays = new ArrayDeque<>();
    private final Deque<Predicate<Call>> droppedAnswers = new ArrayDeque<>();
    private final List<WebhookDelivery> webhookDeliveries = Collections.synchronizedList(new ArrayList<>());
    /** Filled once for every kind, so reading it needs no lock. */
    private final Map<Chaos.Kind, AtomicInteger> injected = new EnumMap<>(Chaos.Kind.class);
    private volatile Duration queueDuration = Duration.ZERO;
    private volatile Duration runDuration = Duration.ofMillis(300);
    private volatile int steps = 4;
    private volatile RunFailure runFailure;
    private volatile String submitRejection;
    private volatile BigDecimal unitPrice = UNIT_PRICE;
    private volatile boolean listUnended;
    private volatile WebhookSender webhookSender;
    private volatile UnaryOperator<URI> webhookTarget = UnaryOperator.identity();
    private volatile boolean dropWebhooks;
    private volatile ChaosRun chaos;
    private final FakeFalStorage storage;

    private FakeFalServer(String key, String adminKey) {
        this.key = Objects.requireNonNull(key);
        this.adminKey = Objects.requireNonNull(adminKey);
        for (Chaos.Kind kind : Chaos.Kind.values()) {
            injected.put(kind, new AtomicInteger());
        }
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.createContext(FILES_PATH, this::serveFile);
        storage = new FakeFalStorage(key, this::queueUrl);
        server.createContext(FakeFalStorage.INITIATE_PATH, storage::initiate);
        server.createContext(FakeFalStorage.UPLOAD_PATH, storage::upload);
        server.createContext(FakeFalStorage.FILES_PATH, storage::serve);
        server.start();
    }

    /**
     * Starts a server on 127.0.0.1 and a random port that accepts {@code Authorization: Key <key>} on the queue API
     * and {@code Key admin-<key>} on the Platform API.
     */
    public static FakeFalServer start(String key) {
        return start(key, "admin-" + key);
    }

    /** Starts a server that accepts {@code key} on the queue API and {@code adminKey} on the Platform API. */
    public static FakeFalServer start(String key, String adminKey) {
        return new FakeFalServer(key, adminKey);
    }

    /** Base URL, the stand-in for {@code https://queue.fal.run}. */
    public URI queueUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Base URL of the Platform API, the stand-in for {@code https://api.fal.ai/v1}. */
    public URI platformUrl() {
        return URI.create(queueUrl() + PLATFORM_PATH);
    }

    public FalEndpoint endpoint() {
        return new FalEndpoint(queueUrl(), ENDPOINT_ID, key);
    }

    /** fal's storage, where datasets are uploaded; its base URL is {@link #queueUrl()}'s. */
    public FakeFalStorage storage() {
        return storage;
    }

    /** The ADMIN-scoped key the Platform API accepts. */
    public String adminKey() {
        return adminKey;
    }

    /**
     * The defaults again for how requests run (queue and run durations, steps, run failures, submit rejections,
     * price, listing, file faults): the server is shared by test classes, so each starts from the same fal.
     */
    public FakeFalServer runsAsDefault() {
        queueDuration = Duration.ZERO;
        runDuration = Duration.ofMillis(300);
        steps = 4;
        runFailure = null;
        submitRejection = null;
        unitPrice = UNIT_PRICE;
        listUnended = false;
        fileFaults.clear();
        fileBytesPerSecond = 0;
        storage.reset();
        return this;
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

    /** USD per step billed for requests submitted from now on that succeed (default 0.0024). */
    public FakeFalServer unitPrice(BigDecimal price) {
        unitPrice = Objects.requireNonNull(price);
        return this;
    }

    /**
     * Whether the request listing also shows requests that have not ended, by their {@code sent_at}, with
     * {@code ended_at}, {@code status_code} and {@code json_output} null (default false: fal's documentation does not
     * say it lists them, so by default it does not).
     */
    public FakeFalServer listUnended(boolean list) {
        listUnended = list;
        return this;
    }

    /** The next {@code count} calls, of any kind, get this response instead of being served. */
    public void failNext(int count, int httpStatus, Map<String, String> headers, String body) {
        failNext(count, call -> true, httpStatus, headers, body);
    }

    /**
     * Downloads of output files whose path (such as {@code /files/fake/<request id>/config.json}) matches {@code when}
     * are answered with {@code httpStatus} from now on (404 for a file fal no longer has), or, with a status of 200,
     * cut short after half their bytes.
     */
    public FakeFalServer failFiles(Predicate<String> when, int httpStatus) {
        fileFaults.add(Map.entry(when, httpStatus));
        return this;
    }

    /** Output files are sent at {@code bytesPerSecond} from now on (0: at full speed), so copies stay in flight a while. */
    public FakeFalServer fileBytesPerSecond(long bytesPerSecond) {
        this.fileBytesPerSecond = bytesPerSecond;
        return this;
    }

    /** How many times output files were downloaded. */
    public int fileDownloads() {
        return fileDownloads.get();
    }

    /** The bytes of an output file as this server serves them. */
    public static byte[] fileBytes(String requestId, String name, long size) {
        byte[] bytes = new byte[(int) size];
        new java.util.Random((requestId + "/" + name).hashCode()).nextBytes(bytes);
        return bytes;
    }

    private void serveFile(HttpExchange exchange) throws IOException {
        try (exchange) {
            fileDownloads.incrementAndGet();
            String path = exchange.getRequestURI().getPath();
            String[] parts = path.substring(FILES_PATH.length()).split("/");
            Long size = parts.length == 2 ? FILE_SIZES.get(parts[1]) : null;
            if (size == null || !jobs.containsKey(parts[0])) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            Integer fault = fileFaults.stream().filter(f -> f.getKey().test(path)).map(Map.Entry::getValue).reduce((a, b) -> b).orElse(null);
            if (fault != null && fault != 200) {
                exchange.sendResponseHeaders(fault, -1);
                return;
            }
            byte[] bytes = fileBytes(parts[0], parts[1], size);
            exchange.sendResponseHeaders(200, bytes.length);
            // A cut: half the promised bytes, then the connection ends.
            int length = fault == null ? bytes.length : bytes.length / 2;
            long rate = fileBytesPerSecond;
            int chunk = rate == 0 ? length : (int) Math.max(1, Math.min(length, rate / 10));
            for (int from = 0; from < length; from += chunk) {
                exchange.getResponseBody().write(bytes, from, Math.min(chunk, length - from));
                exchange.getResponseBody().flush();
                if (rate > 0) {
                    try {
                        Thread.sleep(100);
                    }
                    catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
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

    /**
     * The next {@code count} submits that match {@code when} and are accepted lose their answer: the request is
     * created, runs, is listed and billed like any other, but the connection closes in the middle of the response, so
     * the client never learns its id.
     */
    public void dropAnswerNext(int count, Predicate<Call> when) {
        Objects.requireNonNull(when, "when");
        synchronized (droppedAnswers) {
            for (int i = 0; i < count; i++) {
                droppedAnswers.add(when);
            }
        }
    }

    /** Every submit gets HTTP 422 with this body (e.g. {@code {"detail":[...]}}) until called with null. */
    public void rejectSubmissions(String body) {
        submitRejection = body;
    }

    /**
     * Random faults from now on, on submits and status calls that no {@link #failNext}, {@link #delayNext} or
     * {@link #dropAnswerNext} aims at; {@code null} turns them off. New settings start the counts of
     * {@link #injected()} again; turning chaos off keeps them for the report.
     */
    public FakeFalServer chaos(Chaos settings) {
        if (settings != null) {
            injected.values().forEach(count -> count.set(0));
        }
        chaos = settings == null ? null : new ChaosRun(settings, new Random(settings.seed()));
        return this;
    }

    /** How many faults of each kind {@link #chaos} injected; every kind is present. */
    public Map<Chaos.Kind, Integer> injected() {
        Map<Chaos.Kind, Integer> counts = new EnumMap<>(Chaos.Kind.class);
        injected.forEach((kind, count) -> counts.put(kind, count.get()));
        return Collections.unmodifiableMap(counts);
    }

    /**
     * From now on, requests submitted with {@code ?fal_webhook=<url>} are announced there when they end (succeed,
     * fail or are canceled), as fal does, signed by {@code signer} for {@link FakeFalWebhooks#USER_ID}; {@code null}
     * stops it. A delivery that fails (no 2xx answer within 2 s) is tried again after growing waits, ten attempts in
     * all.
     */
    public FakeFalServer sendWebhooks(FakeFalWebhooks signer) {
        return sendWebhooks(signer, FakeFalWebhooks.USER_ID);
    }

    /** Like {@link #sendWebhooks(FakeFalWebhooks)}, signing for the account of fal user {@code userId}. */
    public FakeFalServer sendWebhooks(FakeFalWebhooks signer, String userId) {
        webhookSender = signer == null ? null : new WebhookSender(signer, Objects.requireNonNull(userId));
        return this;
    }

    /**
     * Where each webhook attempt goes instead of the requested URL, e.g. to whichever gateway instance is alive, as
     * a load balancer in front of them would choose; asked anew for every attempt.
     */
    public FakeFalServer webhookTarget(UnaryOperator<URI> rewrite) {
        webhookTarget = Objects.requireNonNull(rewrite);
        return this;
    }

    /** While true, webhooks due are lost, as when fal cannot reach the gateway: recorded as "dropped" and not retried. */
    public FakeFalServer dropWebhooks(boolean drop) {
        dropWebhooks = drop;
        return this;
    }

    public List<Submission> submissions() {
        return copy(submissions);
    }

    public int submitCount() {
        return submissions.size();
    }

    /**
     * Calls received for {@link #SUBMIT}, {@link #STATUS}, {@link #RESULT}, {@link #CANCEL}, {@link #REQUESTS} or
     * {@link #BILLING}, faults included.
     */
    public int callCount(String operation) {
        AtomicInteger count = calls.get(operation);
        return count == null ? 0 : count.get();
    }

    /** Every call received so far, in arrival order, faulted ones included. */
    public List<Call> received() {
        return copy(received);
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

    /** What fal has billed so far: one event for each request that succeeded, by completion time. */
    public List<BillingEvent> billingEvents() {
        return jobsInOrder().stream()
                .map(job -> billingEvent(job, job.snapshot()))
                .filter(Objects::nonNull)
                .sorted(Comparator.comparing(BillingEvent::timestamp))
                .toList();
    }

    /** Every webhook delivery attempt so far, in the order they were made. */
    public List<WebhookDelivery> webhookDeliveries() {
        return copy(webhookDeliveries);
    }

    @Override
    public void close() {
        server.stop(0);
        scheduler.shutdownNow();
        executor.shutdownNow();
        webhookClient.shutdownNow();
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
            boolean platform = path.startsWith(PLATFORM_PATH + "/");
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
            else if (method.equals("GET") && path.equals(PLATFORM_PATH + "/models/requests/by-endpoint")) {
                operation = REQUESTS;
            }
            else if (method.equals("GET") && path.equals(PLATFORM_PATH + "/models/billing-events")) {
                operation = BILLING;
            }
            else if (method.equals("GET") && path.equals(PLATFORM_PATH + "/models/pricing")) {
                operation = PRICING;
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
            // The Platform API takes the ADMIN-scoped key, the queue API the ordinary one.
            if (!("Key " + (platform ? adminKey : key)).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                send(exchange, 401, "{\"detail\":\"Invalid authorization\"}");
                return;
            }
            // A delayed call is one a test aims at: chaos leaves it alone.
            ChaosRun chaosRun = delay == null ? chaos : null;
            switch (operation) {
                case SUBMIT -> submit(exchange, body, call, chaosRun);
                case STATUS -> status(exchange, request.group(1), chaosRun);
                case RESULT -> result(exchange, request.group(1));
                case CANCEL -> cancel(exchange, request.group(1));
                case REQUESTS -> platform(exchange, this::listRequests);
                case BILLING -> platform(exchange, this::listBillingEvents);
                case PRICING -> platform(exchange, this::listPrices);
                default -> send(exchange, 404, "{\"detail\":\"Not Found\"}");
            }
        }
    }

    private void submit(HttpExchange exchange, byte[] body, Call call, ChaosRun chaos) throws IOException {
        String rejection = submitRejection;
        if (rejection != null) {
            send(exchange, 422, rejection);
            return;
        }
        JsonNode input = call.input();
        if (input == null) {
            send(exchange, 422, "{\"detail\":\"Request body is not valid JSON\"}");
            return;
        }
        String priority = exchange.getRequestHeaders().getFirst("X-Fal-Queue-Priority");
        if (priority != null && !priority.equals("normal") && !priority.equals("low")) {
            send(exchange, 422, "{\"detail\":[{\"loc\":[\"header\",\"x-fal-queue-priority\"],\"msg\":\"Input should be 'normal' or 'low'\"}]}");
            return;
        }
        boolean dropAnswer;
        synchronized (droppedAnswers) {
            dropAnswer = takeFirst(droppedAnswers, when -> when.test(call)) != null;
        }
        Chaos.Kind chaosFault = chaos == null || dropAnswer ? null : chaos.onSubmit();
        if (chaosFault == Chaos.Kind.SUBMIT_503) {
            // fal could not schedule it: no request was created.
            injected.get(chaosFault).incrementAndGet();
            exchange.getResponseHeaders().set("X-Fal-Error-Type", "runner_scheduling_failure");
            send(exchange, 503, "{\"detail\":\"No runner available\",\"error_type\":\"runner_scheduling_failure\"}");
            return;
        }
        if (chaosFault == Chaos.Kind.SUBMIT_429) {
            injected.get(chaosFault).incrementAndGet();
            exchange.getResponseHeaders().set("Retry-After", "1");
            send(exchange, 429, "{\"detail\":\"Rate limit exceeded\"}");
            return;
        }
        RunFailure failure = runFailure;
        URI webhookUrl = webhook(exchange.getRequestURI().getRawQuery());
        Job job = new Job(submitted.incrementAndGet(), UUID.randomUUID().toString(), input, webhookUrl, failure != null && failure.when().test(input) ? failure : null,
                queueDuration.toNanos(), runDuration.toNanos(), steps, unitPrice);
        jobs.put(job.id, job);
        queued.put(job.sequence, job);
        submissions.add(new Submission(job.id, input, webhookUrl, job.submittedAt, priority));
        if (webhookUrl != null) {
            later(Duration.ofNanos(job.queueNanos + job.runNanos), () -> announce(job));
        }

        ObjectNode response = urls(job.id);
        response.put("status", "IN_QUEUE");
        response.put("queue_position", queuePosition(job));
        if (chaosFault == Chaos.Kind.SUBMIT_ANSWER_DROPPED) {
            injected.get(chaosFault).incrementAndGet();
        }
        if (dropAnswer || chaosFault == Chaos.Kind.SUBMIT_ANSWER_DROPPED) {
            sendTruncated(exchange, response.toString());
        }
        else {
            send(exchange, 200, response.toString());
        }
    }

    private void status(HttpExchange exchange, String id, ChaosRun chaos) throws IOException {
        Chaos.Kind chaosFault = chaos == null ? null : chaos.onStatus();
        if (chaosFault != null) {
            injected.get(chaosFault).incrementAndGet();
            send(exchange, 500, "{\"detail\":\"Internal Server Error\"}");
            return;
        }
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
        String before = job.cancel();
        if (!before.equals("COMPLETED") && job.webhookUrl != null) {
            later(Duration.ZERO, () -> announce(job));
        }
        switch (before) {
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
                output.set("lora_file", file(job.id, "pytorch_lora_weights.safetensors", "application/octet-stream",
                        FILE_SIZES.get("pytorch_lora_weights.safetensors")));
                output.set("config_file", file(job.id, "config.json", "application/json", FILE_SIZES.get("config.json")));
                output.set("video", file(job.id, "validation.mp4", "video/mp4", FILE_SIZES.get("validation.mp4")));
                yield new Answer(200, null, output);
            }
        };
    }

    // --- Platform API --------------------------------------------------------------------------------------------

    private void platform(HttpExchange exchange, Function<String, ObjectNode> list) throws IOException {
        ObjectNode response;
        try {
            response = list.apply(exchange.getRequestURI().getRawQuery());
        }
        catch (InvalidParameter ex) {
            send(exchange, 422, ex.body());
            return;
        }
        send(exchange, 200, response.toString());
    }

    /**
     * {@code /models/requests/by-endpoint}: the requests that ended in the window, by end time, and with
     * {@link #listUnended} those sent in it that have not ended, after them.
     */
    private ObjectNode listRequests(String rawQuery) {
        ListQuery query = ListQuery.parse(rawQuery, REQUESTS_PARAMETERS, true);
        boolean unended = listUnended;
        record Listed(Job job, Request request) {
        }
        List<ObjectNode> items = jobsInOrder().stream()
                .map(job -> new Listed(job, job.snapshot()))
                .filter(listed -> query.matches(ENDPOINT_ID, listed.request().requestId()))
                .filter(listed -> listed.request().endedAt() != null ? query.inWindow(listed.request().endedAt())
                        : unended && query.inWindow(listed.request().sentAt()))
                .sorted(Comparator.comparing((Listed listed) -> listed.request().endedAt(),
                        Comparator.nullsLast(Comparator.naturalOrder())))
                .map(listed -> requestItem(listed.job(), listed.request(), query.payloads()))
                .toList();
        return query.pageOf("items", items);
    }

    private ObjectNode requestItem(Job job, Request request, boolean payloads) {
        Answer answer = request.outcome() == null ? null : answer(job, request.outcome());
        ObjectNode item = JSON.createObjectNode()
                .put("request_id", request.requestId())
                .put("endpoint_id", ENDPOINT_ID)
                .put("sent_at", request.sentAt().toString())
                .put("started_at", request.startedAt() == null ? null : request.startedAt().toString())
                .put("ended_at", request.endedAt() == null ? null : request.endedAt().toString())
                .put("status_code", answer == null ? null : answer.status())
                .put("duration", request.endedAt() == null ? null
                        : Duration.between(request.sentAt(), request.endedAt()).toNanos() / 1e9);
        if (payloads) {
            item.set("json_input", job.input);
            item.set("json_output", answer == null ? null : answer.body());
        }
        return item;
    }

    /** {@code /models/billing-events}: one event per successful request completed in the window, by completion time. */
    private ObjectNode listBillingEvents(String rawQuery) {
        ListQuery query = ListQuery.parse(rawQuery, BILLING_PARAMETERS, false);
        List<ObjectNode> events = billingEvents().stream()
                .filter(event -> query.matches(event.endpointId(), event.requestId()) && query.inWindow(event.timestamp()))
                .map(event -> JSON.createObjectNode()
                        .put("request_id", event.requestId())
                        .put("endpoint_id", event.endpointId())
                        .put("timestamp", event.timestamp().toString())
                        .put("output_units", event.outputUnits())
                        .put("unit_price", event.unitPrice())
                        .put("percent_discount", event.percentDiscount())
                        .put("cost_estimate_nano_usd", event.costEstimateNanoUsd()))
                .toList();
        return query.pageOf("billing_events", events);
    }

    /** {@code /models/pricing}: the account's price per step, as {@link #unitPrice(BigDecimal)} set it. */
    private ObjectNode listPrices(String rawQuery) {
        ListQuery query = ListQuery.parse(rawQuery, PRICING_PARAMETERS, false);
        List<ObjectNode> prices = query.matches(ENDPOINT_ID, null)
                ? List.of(JSON.createObjectNode().put("endpoint_id", ENDPOINT_ID).put("unit_price", unitPrice).put("unit", "steps").put("currency", "USD"))
                : List.of();
        return query.pageOf("prices", prices);
    }

    /** fal bills successful outputs only, by the steps trained. */
    private static BillingEvent billingEvent(Job job, Request request) {
        if (request.outcome() != Outcome.SUCCEEDED) {
            return null;
        }
        JsonNode steps = job.input.path("number_of_steps");
        BigDecimal units = steps.isNumber() ? steps.decimalValue() : DEFAULT_STEPS;
        long nanoUsd = units.multiply(job.unitPrice).movePointRight(9).setScale(0, RoundingMode.HALF_UP).longValueExact();
        return new BillingEvent(job.id, ENDPOINT_ID, request.endedAt(), units, job.unitPrice, BigDecimal.ZERO, nanoUsd);
    }

    // --- webhooks ------------------------------------------------------------------------------------------------

    /** Sends the webhook of a request that has just ended, once, if this server sends webhooks. */
    private void announce(Job job) {
        if (webhookSender == null || !job.announced.compareAndSet(false, true)) {
            return;
        }
        Outcome outcome = job.snapshot().outcome();
        Answer answer = answer(job, outcome);
        ObjectNode body = JSON.createObjectNode()
                .put("request_id", job.id)
                .put("gateway_request_id", job.id)
                .put("status", outcome == Outcome.SUCCEEDED ? "OK" : "ERROR");
        if (outcome != Outcome.SUCCEEDED) {
            body.put("error", "Invalid status code: " + answer.status());
        }
        body.set("payload", answer.body());
        deliver(job.id, job.webhookUrl, body.toString(), 1);
    }

    private void deliver(String requestId, URI url, String body, int attempt) {
        WebhookSender sender = webhookSender;
        if (sender == null) {
            return;
        }
        URI target = webhookTarget.apply(url);
        Instant at = Instant.now();
        if (dropWebhooks) {
            webhookDeliveries.add(new WebhookDelivery(requestId, attempt, target, null, "dropped", at));
            return;
        }
        HttpRequest.Builder post = HttpRequest.newBuilder(target)
                .timeout(WEBHOOK_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        FakeFalWebhooks.asMap(sender.signer().sign(requestId, sender.userId(), body, at)).forEach(post::header);
        Integer status = null;
        String error = null;
        try {
            status = webhookClient.send(post.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        }
        catch (IOException ex) {
            error = ex.toString();
        }
        catch (InterruptedException ex) {
            // The server is closing.
            Thread.currentThread().interrupt();
            return;
        }
        WebhookDelivery delivery = new WebhookDelivery(requestId, attempt, target, status, error, at);
        webhookDeliveries.add(delivery);
        if (!delivery.delivered() && attempt <= WEBHOOK_RETRY_WAITS.size()) {
            later(WEBHOOK_RETRY_WAITS.get(attempt - 1), () -> deliver(requestId, url, body, attempt + 1));
        }
    }

    /** Runs {@code task} on a virtual thread after {@code wait}; nothing once the server is closed. */
    private void later(Duration wait, Runnable task) {
        try {
            scheduler.schedule(() -> executor.execute(task), wait.toNanos(), TimeUnit.NANOSECONDS);
        }
        catch (RejectedExecutionException closed) {
            // Closed: fal is gone, and so are its pending deliveries.
        }
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
        int ahead = 0;
        for (Iterator<Job> earlier = queued.headMap(job.sequence).values().iterator(); earlier.hasNext();) {
            if (earlier.next().state().equals("IN_QUEUE")) {
                ahead++;
            }
            else {
                earlier.remove();
            }
        }
        return ahead;
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
                .put("url", queueUrl() + FILES_PATH + id + "/" + name)
                .put("content_type", contentType)
                .put("file_name", name)
                .put("file_size", size);
    }

    private static URI webhook(String rawQuery) {
        String value = queryParam(rawQuery, "fal_webhook");
        return value == null ? null : URI.create(value);
    }

    private static String queryParam(String rawQuery, String name) {
        List<String> values = queryParams(rawQuery).get(name);
        return values == null ? null : values.getFirst();
    }

    /** Every parameter of a query, decoded, with its values in order. */
    private static Map<String, List<String>> queryParams(String rawQuery) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
        }
        return params;
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

    /**
     * Starts a 200 answer with {@code body} and breaks it off halfway: the client gets the headers and part of the
     * body, then the connection closes, as when an answer is lost on the way after fal accepted the request.
     */
    private static void sendTruncated(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        OutputStream out = exchange.getResponseBody();
        out.write(bytes, 0, bytes.length / 2);
        out.flush();
        // Closing the exchange with bytes still owed makes the JDK server close the connection, not wait for them.
        exchange.close();
    }

    /**
     * What a run has recorded so far. The records grow by hundreds of thousands in a benchmark, so they are appended
     * to under a lock rather than copied on every call, and copied once when read.
     */
    private static <T> List<T> copy(List<T> records) {
        synchronized (records) {
            return List.copyOf(records);
        }
    }
}
