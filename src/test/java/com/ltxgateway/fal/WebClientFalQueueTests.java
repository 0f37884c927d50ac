package com.ltxgateway.fal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.util.unit.DataSize;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class WebClientFalQueueTests {

    private static final String KEY = "3f9c1b2a-5d6e-4f70-8a9b-0c1d2e3f4a5b:9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b";
    private static final String ENDPOINT_ID = "fal-ai/ltx23-trainer-v2/interpolate";
    private static final String REQUEST_ID = "764cabcf-b745-4b3e-ae38-1200304cf45b";
    private static final JsonMapper JSON = JsonMapper.shared();

    private final MockWebServer server = new MockWebServer();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private WebClientFalQueue queue;
    private FalEndpoint endpoint;

    @BeforeEach
    void start() throws IOException {
        server.start(InetAddress.getByName("127.0.0.1"), 0);
        endpoint = new FalEndpoint(URI.create("http://127.0.0.1:" + server.getPort()), ENDPOINT_ID, KEY);
        queue = queue(endpoint.queueUrl(), DataSize.ofKilobytes(64));
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable closeable : closeables.reversed()) {
            closeable.close();
        }
        server.close();
    }

    private WebClientFalQueue queue(URI queueUrl, DataSize maxResponseSize) {
        return queue(queueUrl, maxResponseSize, null);
    }

    private WebClientFalQueue queue(URI queueUrl, DataSize maxResponseSize, Duration outputExpiration) {
        FalProperties properties = new FalProperties(KEY, queueUrl, null, ENDPOINT_ID, Duration.ofMillis(500),
                Duration.ofSeconds(1), maxResponseSize, null, null, null, null, null, null, outputExpiration, null, null, null, 16);
        WebClientFalQueue queue = new WebClientFalQueue(WebClient.builder(), properties, new SimpleMeterRegistry());
        closeables.add(queue);
        return queue;
    }

    private void respond(int code, String body, String... headers) {
        MockFal.respond(server, code, body, headers);
    }

    private RecordedRequest taken() throws InterruptedException {
        return MockFal.taken(server);
    }

    private static JsonNode json(String text) {
        return JSON.readTree(text);
    }

    private static <T> T success(FalOutcome<T> outcome) {
        assertThat(outcome).isInstanceOf(FalOutcome.Success.class);
        return ((FalOutcome.Success<T>) outcome).value();
    }

    private static FalOutcome.Unavailable<?> unavailable(FalOutcome<?> outcome) {
        assertThat(outcome).isInstanceOf(FalOutcome.Unavailable.class);
        return (FalOutcome.Unavailable<?>) outcome;
    }

    private static FalOutcome.Rejected<?> rejected(FalOutcome<?> outcome) {
        assertThat(outcome).isInstanceOf(FalOutcome.Rejected.class);
        return (FalOutcome.Rejected<?>) outcome;
    }

    // --- submit --------------------------------------------------------------------------------------------------

    @Test
    void submitPostsInputWithKeyAndWebhookEncodedOnce() throws Exception {
        String base = "http://127.0.0.1:" + server.getPort() + "/fal-ai/ltx23-trainer-v2/requests/" + REQUEST_ID;
        respond(200, """
                {"status":"IN_QUEUE","request_id":"%s","response_url":"%s","status_url":"%s/status",
                 "cancel_url":"%s/cancel","queue_position":3}""".formatted(REQUEST_ID, base, base, base));
        URI webhook = URI.create("https://gw.example/hooks/fal?training=tr_01&sig=a+b%2Fc");

        FalSubmission submission = success(queue.submit(endpoint, json("{\"prompt\":\"a cat\",\"steps\":1000}"), FalQueuePriority.LOW, webhook, SubmitGate.ALWAYS_OPEN));

        assertThat(submission.queuePosition()).isEqualTo(3);
        assertThat(submission.request()).isEqualTo(new FalRequestRef(REQUEST_ID, URI.create(base + "/status"),
                URI.create(base), URI.create(base + "/cancel")));
        RecordedRequest request = taken();
        assertThat(request.getMethod()).isEqualTo("POST");
        assertThat(request.getUrl().encodedPath()).isEqualTo("/fal-ai/ltx23-trainer-v2/interpolate");
        assertThat(request.getTarget()).endsWith(
                "?fal_webhook=https%3A%2F%2Fgw.example%2Fhooks%2Ffal%3Ftraining%3Dtr_01%26sig%3Da%2Bb%252Fc");
        assertThat(request.getUrl().queryParameter("fal_webhook")).isEqualTo(webhook.toString());
        assertThat(request.getHeaders().get("Authorization")).isEqualTo("Key " + KEY);
        assertThat(request.getHeaders().get("Accept")).isEqualTo("application/json");
        assertThat(request.getHeaders().get("Content-Type")).startsWith("application/json");
        assertThat(request.getHeaders().get("X-Fal-Queue-Priority")).isEqualTo("low");
        assertThat(json(request.getBody().utf8())).isEqualTo(json("{\"prompt\":\"a cat\",\"steps\":1000}"));
    }

    @Test
    void submitAsksFalToKeepTheOutputsOnlyAsLongAsConfigured() throws Exception {
        WebClientFalQueue expiring = queue(endpoint.queueUrl(), DataSize.ofKilobytes(64), Duration.ofDays(7));
        respond(200, "{\"status\":\"IN_QUEUE\",\"request_id\":\"" + REQUEST_ID + "\"}");
        respond(200, "{\"status\":\"IN_QUEUE\",\"request_id\":\"" + REQUEST_ID + "\"}");

        success(expiring.submit(endpoint, json("{}"), FalQueuePriority.NORMAL, null, SubmitGate.ALWAYS_OPEN));
        success(queue.submit(endpoint, json("{}"), FalQueuePriority.NORMAL, null, SubmitGate.ALWAYS_OPEN));

        assertThat(json(taken().getHeaders().get("X-Fal-Object-Lifecycle-Preference")))
                .isEqualTo(json("{\"expiration_duration_seconds\": 604800}"));
        assertThat(taken().getHeaders().get("X-Fal-Object-Lifecycle-Preference")).as("unset: the account's setting").isNull();
    }

    @Test
    void submitWithoutWebhookHasNoQuery() throws Exception {
        respond(200, "{\"status\":\"IN_QUEUE\",\"request_id\":\"" + REQUEST_ID + "\"}");

        FalSubmission submission = success(queue.submit(endpoint, json("{}"), FalQueuePriority.NORMAL, null, SubmitGate.ALWAYS_OPEN));

        assertThat(submission.request()).isEqualTo(FalRequestRef.of(REQUEST_ID));
        assertThat(submission.queuePosition()).isNull();
        assertThat(taken().getTarget()).isEqualTo("/fal-ai/ltx23-trainer-v2/interpolate");
    }

    @Test
    void submitAnsweredWithoutRequestIdIsUnavailable() {
        respond(200, "<html>maintenance</html>");

        assertThat(unavailable(queue.submit(endpoint, json("{}"), FalQueuePriority.NORMAL, null, SubmitGate.ALWAYS_OPEN)))
                .isEqualTo(new FalOutcome.Unavailable<>(200, "HTTP 200 unparseable body", null, true));
    }

    @Test
    void validationErrorIsRejectedWithReadableSummaryAndDetails() {
        String detail = """
                [{"loc":["body","validation",0,"prompt"],"msg":"Field required","type":"missing"},
                 {"loc":["body","number_of_steps"],"msg":"Input should be less than or equal to 20000","type":"less_than_equal"}]""";
        respond(422, "{\"detail\":" + detail + "}", "X-Fal-Retryable", "false");

        FalOutcome.Rejected<?> rejected = rejected(queue.submit(endpoint, json("{}"), FalQueuePriority.NORMAL, null, SubmitGate.ALWAYS_OPEN));

        assertThat(rejected.httpStatus()).isEqualTo(422);
        assertThat(rejected.error().code()).isEqualTo("fal_validation_error");
        assertThat(rejected.error().message()).isEqualTo(
                "body.validation.0.prompt: Field required; body.number_of_steps: Input should be less than or equal to 20000");
        assertThat(rejected.error().details()).isEqualTo(json(detail));
    }

    @Test
    void validationErrorWithStringDetail() {
        respond(422, "{\"detail\":\"training_data_url must be a zip\"}");

        FalOutcome.Rejected<?> rejected = rejected(queue.submit(endpoint, json("{}"), FalQueuePriority.NORMAL, null, SubmitGate.ALWAYS_OPEN));

        assertThat(rejected.error()).isEqualTo(new FalError("fal_validation_error", "training_data_url must be a zip",
                json("\"training_data_url must be a zip\"")));
    }

    @Test
    void otherClientErrorsAreRejectedWithTheirCode() {
        respond(400, "{\"detail\":\"Bad request\"}");
        respond(409, "");

        assertThat(rejected(queue.submit(endpoint, json("{}"), FalQueuePriority.NORMAL, null, SubmitGate.ALWAYS_OPEN)).error())
                .isEqualTo(new FalError("fal_http_400", "Bad request", json("\"Bad request\"")));
        assertThat(rejected(queue.submit(endpoint, json("{}"), FalQueuePriority.NORMAL, null, SubmitGate.ALWAYS_OPEN)).error())
                .isEqualTo(new FalError("fal_http_409", "fal answered HTTP 409", null));
    }

    @Test
    void refusedKeyIsUnavailableOnEveryCall() {
        respond(401, "{\"detail\":\"Invalid key\"}");
        respond(403, "");
        respond(401, "{\"detail\":\"Invalid key\"}");
        respond(403, "{\"detail\":\"Forbidden\"}");
        respond(401, "{\"status\":\"OK\"}");

        assertThat(queue.submit(endpoint, json("{}"), FalQueuePriority.NORMAL, null, SubmitGate.ALWAYS_OPEN))
                .isEqualTo(new FalOutcome.Unavailable<>(401, "HTTP 401 fal refused the key", null, false, true));
        assertThat(queue.submit(endpoint, json("{}"), FalQueuePriority.NORMAL, null, SubmitGate.ALWAYS_OPEN))
                .isEqualTo(new FalOutcome.Unavailable<>(403, "HTTP 403 fal refused the key", null, false, true));
        assertThat(queue.status(endpoint, FalRequestRef.of(REQUEST_ID), 0))
                .isEqualTo(new FalOutcome.Unavailable<>(401, "HTTP 401 fal refused the key", null, false, true));
        assertThat(queue.result(endpoint, FalRequestRef.of(REQUEST_ID)))
                .as("a refused key is not how the run ended")
                .isEqualTo(new FalOutcome.Unavailable<>(403, "HTTP 403 fal refused the key", null, false, true));
        assertThat(queue.cancel(endpoint, FalRequestRef.of(REQUEST_ID)))
                .isEqualTo(new FalOutcome.Unavailable<>(401, "HTTP 401 fal refused the key", null, false, true));
    }

    // --- transient faults ----------------------------------------------------------------------------------------

    @Test
    void tooManyRequestsIsUnavailableForRetryAfterSeconds() {
        respond(429, "{\"detail\":\"Rate limit exceeded\"}", "Retry-After", "7");

        assertThat(unavailable(queue.submit(endpoint, json("{}"), FalQueuePriority.NORMAL, null, SubmitGate.ALWAYS_OPEN)))
                .isEqualTo(new FalOutcome.Unavailable<>(429, "HTTP 429", Duration.ofSeconds(7)));
    }

    @Test
    void retryAfterAsHttpDate() {
        String inTwoMinutes = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusMinutes(2));
        respond(503, "", "Retry-After", inTwoMinutes);

        Duration retryAfter = unavailable(queue.status(endpoint, FalRequestRef.of(REQUEST_ID), 0)).retryAfter();

        assertThat(retryAfter.toSeconds()).isCloseTo(120, within(3L));
    }

    @Test
    void unreadableRetryAfterIsIgnored() {
        respond(429, "", "Retry-After", "soon");

        assertThat(unavailable(queue.submit(endpoint, json("{}"), FalQueuePriority.NORMAL, null, SubmitGate.ALWAYS_OPEN)).retryAfter()).isNull();
    }

    @Test
    void serverErrorsAreUnavailableNamingFalsErrorType() {
        respond(500, "Internal Server Error");
        respond(503, "{\"detail\":\"No runner available\",\"error_type\":\"runner_scheduling_failure\"}",
                "X-Fal-Error-Type", "runner_scheduling_failure", "Retry-After", "30");
        respond(504, "{\"detail\":\"Request timed out\",\"error_type\":\"request_timeout\"}");

        assertThat(unavailable(queue.submit(endpoint, json("{}"), FalQueuePriority.NORMAL, null, SubmitGate.ALWAYS_OPEN)))
                .isEqualTo(new FalOutcome.Unavailable<>(500, "HTTP 500", null));
        assertThat(unavailable(queue.status(endpoint, FalRequestRef.of(REQUEST_ID), 0)))
                .isEqualTo(new FalOutcome.Unavailable<>(503, "HTTP 503 runner_scheduling_failure", Duration.ofSeconds(30)));
        assertThat(unavailable(queue.cancel(endpoint, FalRequestRef.of(REQUEST_ID))))
                .isEqualTo(new FalOutcome.Unavailable<>(504, "HTTP 504 request_timeout", null));
    }

    @Test
    void slowResponseIsUnavailableAfterReadTimeout() {
        server.enqueue(new MockResponse.Builder().headersDelay(5, TimeUnit.SECONDS).body("{}").build());

        long started = System.nanoTime();
        FalOutcome.Unavailable<?> unavailable = unavailable(queue.status(endpoint, FalRequestRef.of(REQUEST_ID), 0));

        assertThat(unavailable).as("the request went out; fal may have acted on it")
                .isEqualTo(new FalOutcome.Unavailable<>(0, "timeout after 1s", null, true));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(4));
    }

    @Test
    void refusedConnectionIsUnavailable() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = socket.getLocalPort();
        }
        FalEndpoint nowhere = new FalEndpoint(URI.create("http://127.0.0.1:" + closedPort), ENDPOINT_ID, KEY);

        assertThat(unavailable(queue.submit(nowhere, json("{}"), FalQueuePriority.NORMAL, null, SubmitGate.ALWAYS_OPEN))).as("nothing left this host, so nothing is unconfirmed")
                .isEqualTo(new FalOutcome.Unavailable<>(0, "connection refused", null, false));
    }

    @Test
    void truncatedResponseIsUnavailable() {
        server.enqueue(new MockResponse.Builder()
                .body("{\"status\":\"IN_PROGRESS\",\"logs\":[" + "{\"message\":\"Step\"},".repeat(500) + "{}]}")
                .onResponseBody(SocketEffect.ShutdownConnection.INSTANCE)
                .build());

        assertThat(unavailable(queue.status(endpoint, FalRequestRef.of(REQUEST_ID), 0)))
                .isEqualTo(new FalOutcome.Unavailable<>(0, "connection closed prematurely", null, true));
    }

    @Test
    void oversizedSubmitOrCancelAnswerIsUnavailable() {
        respond(200, "{\"padding\":\"" + "x".repeat(100_000) + "\"}");
        respond(200, "{\"padding\":\"" + "x".repeat(100_000) + "\"}");

        assertThat(unavailable(queue.submit(endpoint, json("{}"), FalQueuePriority.NORMAL, null, SubmitGate.ALWAYS_OPEN)))
                .isEqualTo(new FalOutcome.Unavailable<>(0, "response too large", null, true));
        assertThat(unavailable(queue.cancel(endpoint, FalRequestRef.of(REQUEST_ID))))
                .isEqualTo(new FalOutcome.Unavailable<>(0, "response too large", null, true));
    }

    // --- status --------------------------------------------------------------------------------------------------

    @Test
    void statusInQueueUsesOwnerAndAppOnlyAndAsksForLogs() throws Exception {
        respond(202, "{\"status\":\"IN_QUEUE\",\"request_id\":\"" + REQUEST_ID + "\",\"queue_position\":2,\"logs\":null}");

        FalStatus status = success(queue.status(endpoint, FalRequestRef.of(REQUEST_ID), 0));

        assertThat(status).isEqualTo(new FalStatus(FalStatus.State.IN_QUEUE, 2, List.of(), 0, null));
        RecordedRequest request = taken();
        assertThat(request.getMethod()).isEqualTo("GET");
        assertThat(request.getTarget()).isEqualTo("/fal-ai/ltx23-trainer-v2/requests/" + REQUEST_ID + "/status?logs=1");
        assertThat(request.getHeaders().get("Authorization")).isEqualTo("Key " + KEY);
    }

    @Test
    void statusInProgressParsesLogs() {
        respond(202, """
                {"status":"IN_PROGRESS","request_id":"%s","logs":[
                  {"message":"Step 1/1000","level":"INFO","source":"stdout","timestamp":"2026-03-01T10:00:01.123Z"},
                  {"message":"loss=0.12","level":"DEBUG","source":"user","timestamp":"2026-03-01T10:00:02.456Z"}]}
                """.formatted(REQUEST_ID));

        FalStatus status = success(queue.status(endpoint, FalRequestRef.of(REQUEST_ID), 0));

        assertThat(status.state()).isEqualTo(FalStatus.State.IN_PROGRESS);
        assertThat(status.queuePosition()).isNull();
        assertThat(status.logs()).containsExactly(
                new FalLogLine("Step 1/1000", "INFO", "stdout", "2026-03-01T10:00:01.123Z"),
                new FalLogLine("loss=0.12", "DEBUG", "user", "2026-03-01T10:00:02.456Z"));
    }

    @Test
    void statusCompletedWithError() {
        respond(200, """
                {"status":"COMPLETED","request_id":"%s","logs":[],"metrics":{"inference_time":12.5},
                 "error":"Runner disconnected","error_type":"runner_disconnected"}""".formatted(REQUEST_ID));
        respond(200, "{\"status\":\"COMPLETED\",\"error\":\"CUDA out of memory\"}");
        respond(200, "{\"status\":\"COMPLETED\",\"logs\":[]}");

        assertThat(success(queue.status(endpoint, FalRequestRef.of(REQUEST_ID), 0)).error())
                .isEqualTo(new FalError("runner_disconnected", "Runner disconnected", null));
        assertThat(success(queue.status(endpoint, FalRequestRef.of(REQUEST_ID), 0)).error())
                .isEqualTo(new FalError("fal_error", "CUDA out of memory", null));
        assertThat(success(queue.status(endpoint, FalRequestRef.of(REQUEST_ID), 0)))
                .isEqualTo(new FalStatus(FalStatus.State.COMPLETED, null, List.of(), 0, null));
    }

    @Test
    void statusOfUnknownRequestIsRejected() {
        respond(404, "{\"detail\":\"Request not found\"}");

        assertThat(rejected(queue.status(endpoint, FalRequestRef.of(REQUEST_ID), 0)))
                .isEqualTo(new FalOutcome.Rejected<>(404, new FalError("fal_http_404", "Request not found", json("\"Request not found\""))));
    }

    @Test
    void statusWithUnknownStateIsUnavailable() {
        respond(200, "{\"status\":\"PAUSED\"}");

        assertThat(unavailable(queue.status(endpoint, FalRequestRef.of(REQUEST_ID), 0)).reason()).isEqualTo("HTTP 200 unknown status");
    }

    // --- which URL -----------------------------------------------------------------------------------------------

    @Test
    void returnedUrlsOnTheQueueHostAreUsedWithLogsForced() throws Exception {
        String base = "http://127.0.0.1:" + server.getPort() + "/v2/fal-ai/ltx23-trainer-v2/requests/" + REQUEST_ID;
        FalRequestRef ref = new FalRequestRef(REQUEST_ID, URI.create(base + "/status?logs=0&x=1"), URI.create(base),
                URI.create(base + "/cancel"));
        respond(202, "{\"status\":\"IN_PROGRESS\"}");
        respond(200, "{}");
        respond(200, "{\"status\":\"ALREADY_COMPLETED\"}");

        queue.status(endpoint, ref, 0);
        queue.result(endpoint, ref);
        queue.cancel(endpoint, ref);

        assertThat(taken().getTarget()).isEqualTo("/v2/fal-ai/ltx23-trainer-v2/requests/" + REQUEST_ID + "/status?x=1&logs=1");
        assertThat(taken().getTarget()).isEqualTo("/v2/fal-ai/ltx23-trainer-v2/requests/" + REQUEST_ID);
        assertThat(taken().getTarget()).isEqualTo("/v2/fal-ai/ltx23-trainer-v2/requests/" + REQUEST_ID + "/cancel");
    }

    @Test
    void returnedUrlsOnAnotherHostAreNeverCalled() throws Exception {
        try (MockWebServer elsewhere = new MockWebServer()) {
            elsewhere.start(InetAddress.getByName("127.0.0.1"), 0);
            String foreign = "http://127.0.0.1:" + elsewhere.getPort() + "/fal-ai/ltx23-trainer-v2/requests/" + REQUEST_ID;
            String otherScheme = "https://127.0.0.1:" + server.getPort() + "/fal-ai/ltx23-trainer-v2/requests/" + REQUEST_ID;
            FalRequestRef ref = new FalRequestRef(REQUEST_ID, URI.create(foreign + "/status"), URI.create(otherScheme),
                    URI.create("http://" + KEY.substring(0, 8) + "@127.0.0.1:" + server.getPort() + "/steal"));
            respond(202, "{\"status\":\"IN_QUEUE\",\"queue_position\":0}");
            respond(200, "{}");
            respond(200, "{\"status\":\"OK\"}");

            assertThat(success(queue.status(endpoint, ref, 0)).state()).isEqualTo(FalStatus.State.IN_QUEUE);
            assertThat(success(queue.result(endpoint, ref))).isInstanceOf(FalResult.Output.class);
            assertThat(success(queue.cancel(endpoint, ref))).isEqualTo(FalCancellation.OK);

            assertThat(elsewhere.getRequestCount()).isZero();
            String path = "/fal-ai/ltx23-trainer-v2/requests/" + REQUEST_ID;
            assertThat(taken().getTarget()).isEqualTo(path + "/status?logs=1");
            assertThat(taken().getTarget()).isEqualTo(path);
            assertThat(taken().getTarget()).isEqualTo(path + "/cancel");
        }
    }

    // --- result --------------------------------------------------------------------------------------------------

    @Test
    void resultOutput() throws Exception {
        String output = """
                {"lora_file":{"url":"https://v3.fal.media/files/a/lora.safetensors","content_type":"application/octet-stream",
                 "file_name":"lora.safetensors","file_size":163577856},
                 "config_file":{"url":"https://v3.fal.media/files/a/config.json","content_type":"application/json",
                 "file_name":"config.json","file_size":1024}}""";
        respond(200, output);

        assertThat(success(queue.result(endpoint, FalRequestRef.of(REQUEST_ID)))).isEqualTo(new FalResult.Output(json(output)));
        assertThat(taken().getTarget()).isEqualTo("/fal-ai/ltx23-trainer-v2/requests/" + REQUEST_ID);
    }

    @Test
    void resultModelErrorIsASuccessfulReadOfAFailedRun() {
        respond(500, "{\"detail\":\"Training failed: CUDA out of memory\"}", "X-Fal-Error-Type", "internal_error");
        respond(422, """
                {"detail":[{"loc":["body","training_data_url"],"msg":"Found 3 clips, need at least 10","type":"value_error"}]}""");
        respond(503, "{\"detail\":\"Runner disconnected\",\"error_type\":\"runner_disconnected\"}");

        assertThat(success(queue.result(endpoint, FalRequestRef.of(REQUEST_ID)))).isEqualTo(new FalResult.Error(
                new FalError("internal_error", "Training failed: CUDA out of memory", json("\"Training failed: CUDA out of memory\""))));
        FalError validation = ((FalResult.Error) success(queue.result(endpoint, FalRequestRef.of(REQUEST_ID)))).error();
        assertThat(validation.code()).isEqualTo("fal_validation_error");
        assertThat(validation.message()).isEqualTo("body.training_data_url: Found 3 clips, need at least 10");
        assertThat(validation.details().isArray()).isTrue();
        assertThat(((FalResult.Error) success(queue.result(endpoint, FalRequestRef.of(REQUEST_ID)))).error().code())
                .isEqualTo("runner_disconnected");
    }

    @Test
    void resultRateLimitAndBareGatewayErrorsAreUnavailable() {
        respond(429, "{\"detail\":\"Too many requests\"}", "Retry-After", "2");
        respond(502, "<html>Bad Gateway</html>");
        respond(504, "");

        assertThat(unavailable(queue.result(endpoint, FalRequestRef.of(REQUEST_ID))))
                .isEqualTo(new FalOutcome.Unavailable<>(429, "HTTP 429", Duration.ofSeconds(2)));
        assertThat(unavailable(queue.result(endpoint, FalRequestRef.of(REQUEST_ID))).httpStatus()).isEqualTo(502);
        assertThat(unavailable(queue.result(endpoint, FalRequestRef.of(REQUEST_ID))).httpStatus()).isEqualTo(504);
    }

    // --- cancel --------------------------------------------------------------------------------------------------

    @Test
    void cancelOutcomesComeFromTheBodyWhateverTheCode() throws Exception {
        respond(200, "{\"status\":\"OK\"}");
        respond(202, "{\"status\":\"CANCELLATION_REQUESTED\"}");
        respond(400, "{\"status\":\"ALREADY_COMPLETED\"}");
        respond(404, "{\"status\":\"NOT_FOUND\"}");

        List<FalCancellation> answers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            answers.add(success(queue.cancel(endpoint, FalRequestRef.of(REQUEST_ID))));
        }

        assertThat(answers).containsExactly(FalCancellation.OK, FalCancellation.CANCELLATION_REQUESTED,
                FalCancellation.ALREADY_COMPLETED, FalCancellation.NOT_FOUND);
        RecordedRequest request = taken();
        assertThat(request.getMethod()).isEqualTo("PUT");
        assertThat(request.getTarget()).isEqualTo("/fal-ai/ltx23-trainer-v2/requests/" + REQUEST_ID + "/cancel");
        assertThat(request.getHeaders().get("Authorization")).isEqualTo("Key " + KEY);
    }

    @Test
    void cancelWithoutAnAnswerInTheBody() {
        respond(404, "Not Found");
        respond(503, "");
        respond(200, "{}");

        assertThat(rejected(queue.cancel(endpoint, FalRequestRef.of(REQUEST_ID))).httpStatus()).isEqualTo(404);
        assertThat(unavailable(queue.cancel(endpoint, FalRequestRef.of(REQUEST_ID))).httpStatus()).isEqualTo(503);
        assertThat(unavailable(queue.cancel(endpoint, FalRequestRef.of(REQUEST_ID))).httpStatus()).isEqualTo(200);
    }

    @Test
    void wiresAsABean() {
        new ApplicationContextRunner()
                .withBean(WebClient.Builder.class, WebClient::builder)
                .withBean(FalProperties.class, () -> new FalProperties(KEY, endpoint.queueUrl(), null, ENDPOINT_ID,
                        Duration.ofSeconds(1), Duration.ofSeconds(1), DataSize.ofKilobytes(64), null, null, null, null, null, null, null, null, null, null, 16))
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withBean(WebClientFalQueue.class)
                .run(context -> {
                    assertThat(context).hasSingleBean(FalQueue.class);
                    respond(202, "{\"status\":\"IN_QUEUE\",\"queue_position\":0}");
                    assertThat(success(context.getBean(FalQueue.class).status(endpoint, FalRequestRef.of(REQUEST_ID), 0)).state())
                            .isEqualTo(FalStatus.State.IN_QUEUE);
                });
    }

    // --- the key -------------------------------------------------------------------------------------------------

    @Test
    void keyNeverShowsInOutcomesOrLogs() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        root.addAppender(appender);
        List<Logger> verbose = List.of((Logger) LoggerFactory.getLogger("com.ltxgateway.fal"),
                (Logger) LoggerFactory.getLogger("org.springframework.web.reactive.function.client"),
                (Logger) LoggerFactory.getLogger("org.springframework.http"));
        List<Level> levels = verbose.stream().map(Logger::getLevel).toList();
        verbose.forEach(logger -> logger.setLevel(Level.TRACE));
        try {
            respond(401, "{\"detail\":\"Key " + KEY + " is not valid\"}");
            respond(422, "{\"detail\":[{\"loc\":[\"header\",\"Authorization\"],\"msg\":\"Key " + KEY + "\"}]}");
            respond(500, "{\"detail\":\"" + KEY + "\"}", "X-Fal-Error-Type", KEY);
            respond(500, "{\"detail\":\"boom " + KEY + "\"}");
            respond(200, "{\"status\":\"COMPLETED\",\"error\":\"" + KEY + "\",\"error_type\":\"" + KEY + "\"}");
            respond(418, "{\"status\":\"" + KEY + "\"}");

            List<Object> seen = new ArrayList<>();
            seen.add(endpoint);
            seen.add(queue.submit(endpoint, json("{}"), FalQueuePriority.NORMAL, null, SubmitGate.ALWAYS_OPEN));
            seen.add(queue.submit(endpoint, json("{}"), FalQueuePriority.NORMAL, URI.create("https://gw.example/hook"), SubmitGate.ALWAYS_OPEN));
            seen.add(queue.status(endpoint, FalRequestRef.of(REQUEST_ID), 0));
            seen.add(queue.result(endpoint, FalRequestRef.of(REQUEST_ID)));
            seen.add(queue.status(endpoint, FalRequestRef.of(REQUEST_ID), 0));
            seen.add(queue.cancel(endpoint, FalRequestRef.of(REQUEST_ID)));
            seen.add(queue.cancel(new FalEndpoint(URI.create("http://127.0.0.1:1"), ENDPOINT_ID, KEY), FalRequestRef.of(REQUEST_ID)));

            assertThat(seen).allSatisfy(outcome -> assertThat(outcome.toString()).doesNotContain(KEY));
            assertThat(appender.list).isNotEmpty().allSatisfy(event -> {
                assertThat(event.getFormattedMessage()).doesNotContain(KEY);
                if (event.getThrowableProxy() != null) {
                    assertThat(ThrowableProxyUtil.asString(event.getThrowableProxy())).doesNotContain(KEY);
                }
            });
        }
        finally {
            root.detachAppender(appender);
            for (int i = 0; i < verbose.size(); i++) {
                verbose.get(i).setLevel(levels.get(i));
            }
        }
    }

    // --- against the fake fal ------------------------------------------------------------------------------------

    private FakeFalServer fakeFal() {
        FakeFalServer fal = FakeFalServer.start(KEY);
        closeables.add(fal);
        queue = queue(fal.queueUrl(), DataSize.ofKilobytes(64));
        return fal;
    }

    private static <T> T await(Supplier<T> reading, Predicate<T> until) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        T value = reading.get();
        while (!until.test(value) && System.nanoTime() < deadline) {
            Thread.sleep(25);
            value = reading.get();
        }
        assertThat(until).as("condition reached, last value %s", value).accepts(value);
        return value;
    }

    @Test
    void fullLifecycleAgainstFakeFal() throws Exception {
        FakeFalServer fal = fakeFal().queueDuration(Duration.ofMillis(500)).runDuration(Duration.ofMillis(800)).steps(3);
        FalEndpoint live = fal.endpoint();
        JsonNode input = json("{\"training_data_url\":\"https://example.com/clips.zip\",\"number_of_steps\":1000}");
        URI webhook = URI.create("https://gw.example/hooks/fal?training=tr_01&sig=a+b%2Fc");

        FalRequestRef ref = success(queue.submit(live, input, FalQueuePriority.NORMAL, webhook, SubmitGate.ALWAYS_OPEN)).request();

        assertThat(ref.statusUrl()).hasHost("127.0.0.1").hasPath("/fal-ai/ltx23-trainer-v2/requests/" + ref.requestId() + "/status");
        assertThat(fal.submissions()).singleElement().satisfies(submission -> {
            assertThat(submission.requestId()).isEqualTo(ref.requestId());
            assertThat(submission.input()).isEqualTo(input);
            assertThat(submission.webhookUrl()).isEqualTo(webhook);
        });
        assertThat(success(queue.status(live, ref, 0))).isEqualTo(new FalStatus(FalStatus.State.IN_QUEUE, 0, List.of(), 0, null));

        FalStatus running = await(() -> success(queue.status(live, ref, 0)), s -> s.state() == FalStatus.State.IN_PROGRESS);
        assertThat(running.logs()).first().extracting(FalLogLine::message).isEqualTo("Loading dataset");
        FalStatus done = await(() -> success(queue.status(live, ref, 0)), s -> s.state() == FalStatus.State.COMPLETED);
        assertThat(done.error()).isNull();
        assertThat(done.logs()).extracting(FalLogLine::message)
                .containsExactly("Loading dataset", "Step 1/3", "Step 2/3", "Step 3/3", "Training complete");

        FalResult result = success(queue.result(live, ref));
        assertThat(result).isInstanceOfSatisfying(FalResult.Output.class, output -> {
            assertThat(output.output().path("lora_file").path("url").stringValue()).endsWith(".safetensors");
            assertThat(output.output().path("config_file").path("file_name").stringValue()).isEqualTo("config.json");
        });
        assertThat(success(queue.cancel(live, ref))).isEqualTo(FalCancellation.ALREADY_COMPLETED);

        assertThat(fal.submitCount()).isEqualTo(1);
        assertThat(fal.callCount(FakeFalServer.RESULT)).isEqualTo(1);
        assertThat(fal.callCount(FakeFalServer.CANCEL)).isEqualTo(1);
        assertThat(fal.callCount(FakeFalServer.STATUS)).isGreaterThanOrEqualTo(3);
    }

    @Test
    void fakeFalCancellation() {
        FakeFalServer fal = fakeFal().queueDuration(Duration.ofSeconds(30));
        FalEndpoint live = fal.endpoint();

        FalRequestRef first = success(queue.submit(live, json("{\"n\":1}"), FalQueuePriority.NORMAL, null, SubmitGate.ALWAYS_OPEN)).request();
        FalRequestRef second = success(queue.submit(live, json("{\"n\":2}"), FalQueuePriority.NORMAL, null, SubmitGate.ALWAYS_OPEN)).request();
        assertThat(success(queue.status(live, second, 0)).queuePosition()).isEqualTo(1);

        assertThat(success(queue.cancel(live, first))).isEqualTo(FalCancellation.OK);
        assertThat(success(queue.status(live, first, 0)).error()).extracting(FalError::message).isEqualTo("Request was cancelled");
        assertThat(success(queue.result(live, first))).isInstanceOf(FalResult.Error.class);
        assertThat(success(queue.status(live, second, 0)).queuePosition()).isZero();
        assertThat(success(queue.cancel(live, FalRequestRef.of("no-such-request")))).isEqualTo(FalCancellation.NOT_FOUND);

        fal.queueDuration(Duration.ZERO).runDuration(Duration.ofSeconds(30));
        FalRequestRef running = success(queue.submit(live, json("{\"n\":3}"), FalQueuePriority.NORMAL, null, SubmitGate.ALWAYS_OPEN)).request();
        assertThat(success(queue.cancel(live, running))).isEqualTo(FalCancellation.CANCELLATION_REQUESTED);
        assertThat(fal.state(running.requestId())).isEqualTo("COMPLETED");
    }

    @Test
    void fakeFalFailedRun() {
        FakeFalServer fal = fakeFal().runDuration(Duration.ZERO)
                .failRunsWhen(input -> input.path("n").asInt() == 2, 500, "internal_error", "Training diverged");
        FalEndpoint live = fal.endpoint();

        FalRequestRef fine = success(queue.submit(live, json("{\"n\":1}"), FalQueuePriority.NORMAL, null, SubmitGate.ALWAYS_OPEN)).request();
        FalRequestRef failing = success(queue.submit(live, json("{\"n\":2}"), FalQueuePriority.NORMAL, null, SubmitGate.ALWAYS_OPEN)).request();

        assertThat(success(queue.status(live, fine, 0)).error()).isNull();
        assertThat(success(queue.status(live, failing, 0)).error()).isEqualTo(new FalError("internal_error", "Training diverged", null));
        assertThat(success(queue.result(live, failing))).isEqualTo(new FalResult.Error(
                new FalError("internal_error", "Training diverged", json("\"Training diverged\""))));
    }

    @Test
    void fakeFalFaults() {
        FakeFalServer fal = fakeFal();
        FalEndpoint live = fal.endpoint();

        fal.failNext(1, 429, Map.of("Retry-After", "5"), "{\"detail\":\"Rate limited\"}");
        assertThat(queue.submit(live, json("{}"), FalQueuePriority.NORMAL, null, SubmitGate.ALWAYS_OPEN)).isEqualTo(new FalOutcome.Unavailable<>(429, "HTTP 429", Duration.ofSeconds(5)));

        fal.failNext(1, 503, Map.of("X-Fal-Error-Type", "runner_scheduling_failure"), "{\"detail\":\"No runner\"}");
        assertThat(queue.status(live, FalRequestRef.of("x"), 0))
                .isEqualTo(new FalOutcome.Unavailable<>(503, "HTTP 503 runner_scheduling_failure", null));

        fal.delayNext(1, Duration.ofSeconds(2));
        assertThat(queue.submit(live, json("{}"), FalQueuePriority.NORMAL, null, SubmitGate.ALWAYS_OPEN)).isEqualTo(new FalOutcome.Unavailable<>(0, "timeout after 1s", null, true));

        fal.rejectSubmissions("{\"detail\":[{\"loc\":[\"body\",\"validation\"],\"msg\":\"Field required\",\"type\":\"missing\"}]}");
        assertThat(rejected(queue.submit(live, json("{}"), FalQueuePriority.NORMAL, null, SubmitGate.ALWAYS_OPEN)).error().message()).isEqualTo("body.validation: Field required");
        fal.rejectSubmissions(null);

        assertThat(unavailable(queue.submit(new FalEndpoint(fal.queueUrl(), FakeFalServer.ENDPOINT_ID, "wrong-key"), json("{}"), FalQueuePriority.NORMAL, null, SubmitGate.ALWAYS_OPEN)))
                .satisfies(refused -> assertThat(refused.httpStatus()).isEqualTo(401))
                .satisfies(refused -> assertThat(refused.keyRefused()).isTrue());

        assertThat(success(queue.submit(live, json("{}"), FalQueuePriority.NORMAL, null, SubmitGate.ALWAYS_OPEN)).request().requestId()).isNotBlank();
        assertThat(fal.submitCount()).isEqualTo(1);
        assertThat(fal.callCount(FakeFalServer.SUBMIT)).isEqualTo(5);
        assertThat(fal.callCount(FakeFalServer.STATUS)).isEqualTo(1);
    }
}
