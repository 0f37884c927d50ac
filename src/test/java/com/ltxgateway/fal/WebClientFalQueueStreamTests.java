package com.ltxgateway.fal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.util.unit.DataSize;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Status and result answers read as they stream in: which log lines a reading takes, answers of any size, inline
 * {@code file_data} dropped. The adapter's {@code max-response-size} is 64 KB here, far below most of these answers.
 */
class WebClientFalQueueStreamTests {

    private static final String KEY = "3f9c1b2a-5d6e-4f70-8a9b-0c1d2e3f4a5b:9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b";
    private static final String ENDPOINT_ID = "fal-ai/ltx23-trainer-v2/interpolate";
    private static final String REQUEST_ID = "764cabcf-b745-4b3e-ae38-1200304cf45b";
    private static final JsonMapper JSON = JsonMapper.shared();

    private final MockWebServer server = new MockWebServer();
    private WebClientFalQueue queue;
    private FalEndpoint endpoint;

    @BeforeEach
    void start() throws IOException {
        server.start(InetAddress.getByName("127.0.0.1"), 0);
        endpoint = new FalEndpoint(URI.create("http://127.0.0.1:" + server.getPort()), ENDPOINT_ID, KEY);
        FalProperties properties = new FalProperties(KEY, endpoint.queueUrl(), null, ENDPOINT_ID, Duration.ofMillis(500),
                Duration.ofSeconds(2), DataSize.ofKilobytes(64), null, null, null, null, null, null, null, null, null, null, 16);
        queue = new WebClientFalQueue(WebClient.builder(), properties, new SimpleMeterRegistry());
    }

    @AfterEach
    void stop() {
        queue.close();
        server.close();
    }

    private void respond(int code, String body) {
        server.enqueue(new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json").body(body).build());
    }

    private static <T> T success(FalOutcome<T> outcome) {
        assertThat(outcome).isInstanceOf(FalOutcome.Success.class);
        return ((FalOutcome.Success<T>) outcome).value();
    }

    private FalStatus status(int logsFrom) {
        return success(queue.status(endpoint, FalRequestRef.of(REQUEST_ID), logsFrom));
    }

    private static String line(int i) {
        return "{\"message\":\"Step " + i + "\",\"level\":\"INFO\",\"source\":\"stdout\",\"timestamp\":\"2026-03-01T10:00:00Z\"}";
    }

    /** A running request's status with {@code count} log lines, "Step 0" to "Step count-1". */
    private static String running(int count) {
        return "{\"status\":\"IN_PROGRESS\",\"request_id\":\"" + REQUEST_ID + "\",\"logs\":["
                + String.join(",", IntStream.range(0, count).mapToObj(WebClientFalQueueStreamTests::line).toList()) + "]}";
    }

    private static List<String> steps(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "Step " + i).toList();
    }

    // --- log lines -------------------------------------------------------------------------------------------------

    @Test
    void onlyTheLinesAfterLogsFromAreTaken() {
        respond(202, running(5000));

        FalStatus status = status(4990);

        assertThat(status.logs()).extracting(FalLogLine::message).containsExactlyElementsOf(steps(4990, 5000));
        assertThat(status.logs().getFirst()).isEqualTo(new FalLogLine("Step 4990", "INFO", "stdout", "2026-03-01T10:00:00Z"));
        assertThat(status.nextLogIndex()).isEqualTo(5000);
    }

    @Test
    void atMostAThousandNewLinesAreTakenAtOnce() {
        respond(202, running(1500));
        respond(202, running(1500));

        FalStatus first = status(0);
        FalStatus second = status(first.nextLogIndex());

        assertThat(first.logs()).extracting(FalLogLine::message).containsExactlyElementsOf(steps(0, 1000));
        assertThat(first.nextLogIndex()).isEqualTo(1000);
        assertThat(second.logs()).extracting(FalLogLine::message).containsExactlyElementsOf(steps(1000, 1500));
        assertThat(second.nextLogIndex()).isEqualTo(1500);
    }

    @Test
    void nothingNewIsNothingTaken() {
        respond(202, running(20));

        FalStatus status = status(20);

        assertThat(status.logs()).isEmpty();
        assertThat(status.nextLogIndex()).isEqualTo(20);
    }

    @Test
    void aListShorterThanLogsFromIsReadFromItsStart() {
        respond(202, running(10));
        respond(202, running(1500));
        respond(202, "{\"status\":\"IN_PROGRESS\",\"logs\":[]}");
        respond(202, running(3));

        FalStatus shorter = status(50);
        FalStatus restarted = status(4000);
        FalStatus empty = status(7);
        FalStatus farBeyond = status(Integer.MAX_VALUE);

        assertThat(shorter.logs()).extracting(FalLogLine::message).containsExactlyElementsOf(steps(0, 10));
        assertThat(shorter.nextLogIndex()).isEqualTo(10);
        assertThat(restarted.logs()).extracting(FalLogLine::message).containsExactlyElementsOf(steps(0, 1000));
        assertThat(restarted.nextLogIndex()).isEqualTo(1000);
        assertThat(empty.logs()).isEmpty();
        assertThat(empty.nextLogIndex()).isZero();
        assertThat(farBeyond.logs()).extracting(FalLogLine::message).containsExactlyElementsOf(steps(0, 3));
        assertThat(farBeyond.nextLogIndex()).isEqualTo(3);
    }

    @Test
    void anAnswerWithoutALogListKeepsTheCallersPlace() {
        respond(202, "{\"status\":\"IN_PROGRESS\"}");
        respond(202, "{\"status\":\"IN_PROGRESS\",\"logs\":null}");

        assertThat(status(40).nextLogIndex()).isEqualTo(40);
        assertThat(status(40).nextLogIndex()).isEqualTo(40);
    }

    @Test
    void elementsThatAreNotLinesKeepTheirPlace() {
        respond(202, "{\"status\":\"IN_PROGRESS\",\"logs\":[" + line(0) + ",null,\"text\",[1,2]," + line(4) + "]}");

        FalStatus status = status(0);

        assertThat(status.logs()).extracting(FalLogLine::message).containsExactly("Step 0", "Step 4");
        assertThat(status.nextLogIndex()).isEqualTo(5);
    }

    @Test
    void logLinesOfAnyShapeAndUnknownFieldsAreRead() {
        respond(202, """
                {"metrics":{"nested":[{"deep":true}]},"status":"IN_PROGRESS","extra":[1,2,3],"logs":[
                  {"message":{"step":1,"loss":0.5},"level":"INFO","labels":{"a":"b"},"timestamp":1767225600},
                  {"message":42,"level":7,"source":null}],"queue_position":"3"}""");

        FalStatus status = status(0);

        assertThat(status.logs()).containsExactly(
                new FalLogLine("{\"step\":1,\"loss\":0.5}", "INFO", null, "1767225600"),
                new FalLogLine("42", null, null, null));
        assertThat(status.queuePosition()).isNull();
    }

    @Test
    void noLogsAreAskedForBelowZero() throws Exception {
        String base = "http://127.0.0.1:" + server.getPort() + "/fal-ai/ltx23-trainer-v2/requests/" + REQUEST_ID;
        respond(202, "{\"status\":\"IN_QUEUE\",\"queue_position\":4}");
        respond(202, "{\"status\":\"IN_PROGRESS\",\"logs\":[" + line(0) + "," + line(1) + "]}");

        FalStatus queued = status(-1);
        FalStatus running = success(queue.status(endpoint, new FalRequestRef(REQUEST_ID, URI.create(base + "/status?logs=1&x=1"), null, null), -1));

        assertThat(queued).isEqualTo(new FalStatus(FalStatus.State.IN_QUEUE, 4, List.of(), 0, null));
        assertThat(running.logs()).as("fal sent lines it was not asked for").isEmpty();
        assertThat(server.takeRequest(1, TimeUnit.SECONDS).getTarget())
                .isEqualTo("/fal-ai/ltx23-trainer-v2/requests/" + REQUEST_ID + "/status?logs=0");
        assertThat(server.takeRequest(1, TimeUnit.SECONDS).getTarget())
                .isEqualTo("/fal-ai/ltx23-trainer-v2/requests/" + REQUEST_ID + "/status?x=1&logs=0");
    }

    @Test
    void aStatusOfTwentyMegabytesIsRead() {
        // 100,000 lines of about 200 bytes: over 300 times max-response-size.
        String padding = "x".repeat(130);
        StringBuilder body = new StringBuilder("{\"status\":\"IN_PROGRESS\",\"logs\":[");
        for (int i = 0; i < 100_000; i++) {
            body.append(i == 0 ? "" : ",").append("{\"message\":\"Step ").append(i).append(' ').append(padding)
                    .append("\",\"level\":\"INFO\",\"source\":\"stdout\",\"timestamp\":\"2026-03-01T10:00:00Z\"}");
        }
        body.append("],\"queue_position\":null}");
        assertThat(body.length()).isGreaterThan(20_000_000);
        server.enqueue(new MockResponse.Builder().code(202).body(new Buffer().writeUtf8(body.toString())).build());

        FalStatus status = status(99_500);

        assertThat(status.logs()).hasSize(500);
        assertThat(status.logs().getFirst().message()).isEqualTo("Step 99500 " + padding);
        assertThat(status.logs().getLast().message()).isEqualTo("Step 99999 " + padding);
        assertThat(status.nextLogIndex()).isEqualTo(100_000);
    }

    @Test
    void theKeyIsMaskedInEveryStringTakenFromAStatus() {
        respond(200, "{\"status\":\"COMPLETED\",\"error\":\"bad key " + KEY + "\",\"error_type\":\"" + KEY + "\",\"logs\":["
                + "{\"message\":\"using " + KEY + "\",\"level\":\"" + KEY + "\",\"source\":\"" + KEY + "\",\"timestamp\":\"" + KEY + "\"}]}");

        FalStatus status = status(0);

        assertThat(status.error()).isEqualTo(new FalError("[redacted]", "bad key [redacted]", null));
        assertThat(status.logs()).containsExactly(new FalLogLine("using [redacted]", "[redacted]", "[redacted]", "[redacted]"));
    }

    @Test
    void truncatedStatusMayHaveReachedFal() {
        server.enqueue(new MockResponse.Builder().code(202).body("{\"status\":\"IN_PROGRESS\",\"logs\":[" + line(0) + ",").build());
        respond(202, "[\"IN_PROGRESS\"]");

        assertThat(queue.status(endpoint, FalRequestRef.of(REQUEST_ID), 0))
                .isEqualTo(new FalOutcome.Unavailable<>(202, "HTTP 202 unparseable body", null, true));
        assertThat(queue.status(endpoint, FalRequestRef.of(REQUEST_ID), 0))
                .isEqualTo(new FalOutcome.Unavailable<>(202, "HTTP 202 unparseable body", null, true));
    }

    @Test
    void anErrorStatusOfAnySizeIsClassified() {
        respond(404, "{\"padding\":\"" + "x".repeat(200_000) + "\",\"detail\":\"Request not found\",\"more\":[{}]}");

        assertThat(queue.status(endpoint, FalRequestRef.of(REQUEST_ID), 0)).isEqualTo(new FalOutcome.Rejected<>(404,
                new FalError("fal_http_404", "Request not found", JSON.readTree("\"Request not found\""))));
    }

    // --- results ---------------------------------------------------------------------------------------------------

    @Test
    void inlineFileDataIsDroppedWherever() {
        String data = "QUJD".repeat(5_000_000);
        respond(200, """
                {"lora_file":{"url":"https://v3.fal.media/files/a/lora.safetensors","file_name":"lora.safetensors",
                  "file_size":163577856,"file_data":"%s"},
                 "config_file":{"url":"https://v3.fal.media/files/a/config.json","file_data":{"nested":["%s"]}},
                 "debug_dataset":[{"url":"https://v3.fal.media/files/a/0.mp4","file_data":"%s"},{}],
                 "video":null,"steps":1000,"loss":0.0123}""".formatted(data, data.substring(0, 100_000), data.substring(0, 10)));

        FalResult result = success(queue.result(endpoint, FalRequestRef.of(REQUEST_ID)));

        assertThat(result).isEqualTo(new FalResult.Output(JSON.readTree("""
                {"lora_file":{"url":"https://v3.fal.media/files/a/lora.safetensors","file_name":"lora.safetensors",
                  "file_size":163577856},
                 "config_file":{"url":"https://v3.fal.media/files/a/config.json"},
                 "debug_dataset":[{"url":"https://v3.fal.media/files/a/0.mp4"},{}],
                 "video":null,"steps":1000,"loss":0.0123}""")));
    }

    @Test
    void aLargeModelErrorIsStillHowTheRunEnded() {
        respond(500, "{\"detail\":\"Training failed: " + "x".repeat(200_000) + "\",\"error_type\":\"internal_error\"}");

        FalResult result = success(queue.result(endpoint, FalRequestRef.of(REQUEST_ID)));

        assertThat(result).isInstanceOfSatisfying(FalResult.Error.class, error -> {
            assertThat(error.error().code()).isEqualTo("internal_error");
            assertThat(error.error().message()).startsWith("Training failed: xxx").hasSize(2000);
        });
    }

    @Test
    void theKeyIsMaskedInAResult() {
        respond(200, "{\"lora_file\":{\"url\":\"https://v3.fal.media/files/a/lora.safetensors?k=" + KEY + "\"},\"" + KEY + "\":[\"" + KEY + "\"]}");
        respond(422, "{\"detail\":[{\"loc\":[\"body\"],\"msg\":\"key " + KEY + "\"}]}");

        JsonNode output = ((FalResult.Output) success(queue.result(endpoint, FalRequestRef.of(REQUEST_ID)))).output();
        FalResult error = success(queue.result(endpoint, FalRequestRef.of(REQUEST_ID)));

        assertThat(output).isEqualTo(JSON.readTree(
                "{\"lora_file\":{\"url\":\"https://v3.fal.media/files/a/lora.safetensors?k=[redacted]\"},\"[redacted]\":[\"[redacted]\"]}"));
        assertThat(error.toString()).doesNotContain(KEY).contains("key [redacted]");
    }

    @Test
    void aResultThatIsNotAnObjectIsUnparseable() {
        respond(200, "[1,2,3]");
        respond(200, "<html>maintenance</html>");
        respond(200, "");

        for (int i = 0; i < 3; i++) {
            assertThat(queue.result(endpoint, FalRequestRef.of(REQUEST_ID)))
                    .isEqualTo(new FalOutcome.Unavailable<>(200, "HTTP 200 unparseable body", null, true));
        }
    }

    @Test
    void connectionsAreReusedAfterStreamedAnswers() {
        respond(202, running(3));
        respond(200, "{\"lora_file\":{\"url\":\"u\",\"file_data\":\"abc\"}}\n");
        respond(202, running(3));

        status(0);
        queue.result(endpoint, FalRequestRef.of(REQUEST_ID));
        status(0);

        assertThat(server.getRequestCount()).isEqualTo(3);
        // One connection served all three: each answer was read to its end.
        RecordedRequest last = null;
        for (int i = 0; i < 3; i++) {
            try {
                last = server.takeRequest(1, TimeUnit.SECONDS);
            }
            catch (InterruptedException ex) {
                throw new AssertionError(ex);
            }
        }
        assertThat(last.getExchangeIndex()).isEqualTo(2);
    }
}
