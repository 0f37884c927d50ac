package com.ltxgateway.fal;

import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import com.ltxgateway.fal.FakeFalServer.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** The fake's Platform API, spoken to over HTTP the way fal's clients speak. */
class FakeFalServerTests {

    private static final String KEY = "queue-key";
    private static final String ADMIN_KEY = "admin-key";
    private static final String LISTING = "/models/requests/by-endpoint?endpoint_id=" + FakeFalServer.ENDPOINT_ID;
    private static final JsonMapper JSON = JsonMapper.shared();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : closeables.reversed()) {
            closeable.close();
        }
    }

    // --- the request listing -------------------------------------------------------------------------------------

    @Test
    void listsTheRequestsThatEndedByTheirOwnClockWithTheirPayloads() throws Exception {
        FakeFalServer fal = fal().queueDuration(Duration.ofMillis(100)).runDuration(Duration.ofMillis(200))
                .failRunsWhen(input -> input.path("fail").asBoolean(), 422, null, "The archive holds no video clips");
        String succeeded = submit(fal, "{\"training_data_url\":\"https://x/ok.zip\"}");
        String failed = submit(fal, "{\"training_data_url\":\"https://x/bad.zip\",\"fail\":true}");
        fal.queueDuration(Duration.ZERO).runDuration(Duration.ofSeconds(30));
        String canceled = submit(fal, "{\"training_data_url\":\"https://x/cancel.zip\"}");
        String running = submit(fal, "{\"training_data_url\":\"https://x/running.zip\"}");
        assertThat(queue(fal, "PUT", "/fal-ai/ltx23-trainer-v2/requests/" + canceled + "/cancel").statusCode()).isEqualTo(202);
        awaitUntil(() -> ended(fal, succeeded) && ended(fal, failed));

        JsonNode page = platform(fal, LISTING + "&expand=payloads").json();

        // Ended on their own: nobody polled them.
        assertThat(fal.callCount(FakeFalServer.STATUS)).isZero();
        assertThat(ids(page.get("items"))).containsExactlyInAnyOrder(succeeded, failed, canceled).isEqualTo(byEnd(fal));
        assertThat(page.get("has_more").asBoolean()).isFalse();
        assertThat(page.get("next_cursor").isNull()).isTrue();
        JsonNode ok = item(page, succeeded);
        assertThat(ok.get("endpoint_id").asString()).isEqualTo(FakeFalServer.ENDPOINT_ID);
        assertThat(ok.get("status_code").asInt()).isEqualTo(200);
        Instant sentAt = Instant.parse(ok.get("sent_at").asString());
        assertThat(Duration.between(sentAt, Instant.parse(ok.get("started_at").asString()))).isEqualTo(Duration.ofMillis(100));
        assertThat(Duration.between(sentAt, Instant.parse(ok.get("ended_at").asString()))).isEqualTo(Duration.ofMillis(300));
        assertThat(ok.get("duration").asDouble()).isEqualTo(0.3);
        assertThat(ok.get("json_input")).isEqualTo(JSON.readTree("{\"training_data_url\":\"https://x/ok.zip\"}"));
        assertThat(ok.get("json_output").get("lora_file").get("file_name").asString()).isEqualTo("pytorch_lora_weights.safetensors");
        JsonNode error = item(page, failed);
        assertThat(error.get("status_code").asInt()).isEqualTo(422);
        assertThat(error.get("json_output")).isEqualTo(JSON.readTree("{\"detail\":\"The archive holds no video clips\"}"));
        JsonNode cancel = item(page, canceled);
        assertThat(cancel.get("status_code").asInt()).isEqualTo(400);
        assertThat(cancel.get("json_output")).isEqualTo(JSON.readTree("{\"detail\":\"Request was cancelled\"}"));

        assertThat(fal.requests()).extracting(FakeFalServer.Request::requestId, FakeFalServer.Request::outcome)
                .containsExactly(tuple(succeeded, Outcome.SUCCEEDED), tuple(failed, Outcome.FAILED), tuple(canceled, Outcome.CANCELED),
                        tuple(running, null));
        assertThat(fal.requests().getLast().state()).isEqualTo("IN_PROGRESS");
        assertThat(fal.requests().getLast().endedAt()).isNull();

        // Without expand the payloads are left out.
        JsonNode bare = platform(fal, LISTING).json();
        assertThat(item(bare, succeeded).has("json_input")).isFalse();
        assertThat(item(bare, succeeded).has("json_output")).isFalse();

        // The window is [start, end) on ended_at.
        String endedOk = ok.get("ended_at").asString();
        String endedFailed = error.get("ended_at").asString();
        JsonNode window = platform(fal, LISTING + "&start=" + endedOk + "&end=" + endedFailed).json();
        assertThat(ids(window.get("items"))).containsExactly(succeeded);
        JsonNode future = platform(fal, LISTING + "&start=" + Instant.now().plusSeconds(60)).json();
        assertThat(future.get("items")).isEmpty();
        JsonNode other = platform(fal, "/models/requests/by-endpoint?endpoint_id=fal-ai/flux/dev").json();
        assertThat(other.get("items")).isEmpty();

        // Asked for, requests that have not ended are listed by sent_at, after the ended ones.
        fal.listUnended(true);
        JsonNode all = platform(fal, LISTING + "&expand=payloads").json();
        assertThat(ids(all.get("items"))).isEqualTo(Stream.concat(byEnd(fal).stream(), Stream.of(running)).toList());
        JsonNode unended = item(all, running);
        assertThat(unended.get("ended_at").isNull()).isTrue();
        assertThat(unended.get("status_code").isNull()).isTrue();
        assertThat(unended.get("duration").isNull()).isTrue();
        assertThat(unended.get("json_output").isNull()).isTrue();
        assertThat(unended.get("started_at").asString()).isEqualTo(unended.get("sent_at").asString());
        assertThat(unended.get("json_input").get("training_data_url").asString()).isEqualTo("https://x/running.zip");

        assertThat(fal.received()).filteredOn(call -> call.operation().equals(FakeFalServer.REQUESTS)).hasSize(6);
    }

    @Test
    void pagesThroughTheListingWithOpaqueCursors() throws Exception {
        FakeFalServer fal = fal().runDuration(Duration.ZERO);
        List<String> submitted = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            submitted.add(submit(fal, "{\"training_data_url\":\"https://x/" + i + ".zip\"}"));
        }
        awaitUntil(() -> submitted.stream().allMatch(id -> ended(fal, id)));

        List<String> listed = new ArrayList<>();
        List<Integer> pageSizes = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = platform(fal, LISTING + "&limit=2"
                    + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8))).json();
            listed.addAll(ids(page.get("items")));
            pageSizes.add(page.get("items").size());
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asString();
            assertThat(page.get("has_more").asBoolean()).isEqualTo(cursor != null);
        }
        while (cursor != null);

        assertThat(pageSizes).containsExactly(2, 2, 1);
        assertThat(listed).containsExactlyElementsOf(submitted);
    }

    @Test
    void refusesWhatFalRefuses() throws Exception {
        FakeFalServer fal = fal();
        assertThat(platform(fal, LISTING, null).statusCode()).isEqualTo(401);
        assertThat(platform(fal, LISTING, KEY).statusCode()).isEqualTo(401);
        assertThat(platform(fal, "/models/billing-events", KEY).json().get("detail").isString()).isTrue();
        assertThat(send(HttpRequest.newBuilder(URI.create(fal.queueUrl() + "/" + FakeFalServer.ENDPOINT_ID))
                .header("Authorization", "Key " + ADMIN_KEY).POST(HttpRequest.BodyPublishers.ofString("{}"))).statusCode())
                .as("the admin key is not the queue key").isEqualTo(401);

        assertInvalid(platform(fal, LISTING + "&status=success"), "status", "extra_forbidden");
        assertInvalid(platform(fal, "/models/requests/by-endpoint"), "endpoint_id", "missing");
        assertInvalid(platform(fal, LISTING + "&limit=101"), "limit", "less_than_equal");
        assertInvalid(platform(fal, LISTING + "&limit=0"), "limit", "greater_than_equal");
        assertInvalid(platform(fal, LISTING + "&limit=ten"), "limit", "int_parsing");
        assertInvalid(platform(fal, LISTING + "&cursor=not-a-cursor"), "cursor", "value_error");
        assertInvalid(platform(fal, LISTING + "&start=yesterday"), "start", "datetime_parsing");
        assertInvalid(platform(fal, LISTING + "&expand=billing"), "expand", "enum");
        assertInvalid(platform(fal, "/models/billing-events?expand=payloads"), "expand", "extra_forbidden");
        assertThat(platform(fal, LISTING + "&start=2025-01-01&limit=100").statusCode()).isEqualTo(200);
        assertThat(platform(fal, "/models/usage").statusCode()).isEqualTo(404);
    }

    @Test
    void startsWithTheKeysItIsGiven() {
        try (FakeFalServer fal = FakeFalServer.start("k1")) {
            assertThat(fal.adminKey()).isEqualTo("admin-k1");
            assertThat(fal.platformUrl()).isEqualTo(URI.create(fal.queueUrl() + "/v1"));
        }
        assertThat(fal().adminKey()).isEqualTo(ADMIN_KEY);
    }

    // --- billing events ------------------------------------------------------------------------------------------

    @Test
    void billsEachSuccessfulRequestOnceByItsSteps() throws Exception {
        FakeFalServer fal = fal().runDuration(Duration.ofMillis(50))
                .failRunsWhen(input -> input.path("fail").asBoolean(), 422, null, "The archive holds no video clips");
        String thousand = submit(fal, "{\"training_data_url\":\"https://x/a.zip\",\"number_of_steps\":1000}");
        String byDefault = submit(fal, "{\"training_data_url\":\"https://x/b.zip\"}");
        String failed = submit(fal, "{\"training_data_url\":\"https://x/c.zip\",\"fail\":true}");
        fal.unitPrice(new BigDecimal("0.002"));
        String cheaper = submit(fal, "{\"training_data_url\":\"https://x/d.zip\",\"number_of_steps\":1500}");
        fal.runDuration(Duration.ofSeconds(30));
        String canceled = submit(fal, "{\"training_data_url\":\"https://x/e.zip\"}");
        queue(fal, "PUT", "/fal-ai/ltx23-trainer-v2/requests/" + canceled + "/cancel");
        awaitUntil(() -> List.of(thousand, byDefault, failed, cheaper).stream().allMatch(id -> ended(fal, id)));

        JsonNode page = platform(fal, "/models/billing-events?endpoint_id=" + FakeFalServer.ENDPOINT_ID).json();

        assertThat(ids(page.get("billing_events"))).containsExactly(thousand, byDefault, cheaper);
        JsonNode first = page.get("billing_events").get(0);
        assertThat(first.get("endpoint_id").asString()).isEqualTo(FakeFalServer.ENDPOINT_ID);
        assertThat(first.get("output_units").decimalValue()).isEqualByComparingTo("1000");
        assertThat(first.get("unit_price").decimalValue()).isEqualByComparingTo("0.0024");
        assertThat(first.get("percent_discount").decimalValue()).isEqualByComparingTo("0");
        assertThat(first.get("cost_estimate_nano_usd").asLong()).isEqualTo(2_400_000_000L);
        assertThat(Instant.parse(first.get("timestamp").asString())).isEqualTo(fal.requests().getFirst().endedAt());
        assertThat(page.get("billing_events").get(1).get("output_units").decimalValue()).isEqualByComparingTo("2000");
        assertThat(page.get("billing_events").get(1).get("cost_estimate_nano_usd").asLong()).isEqualTo(4_800_000_000L);
        assertThat(page.get("billing_events").get(2).get("cost_estimate_nano_usd").asLong()).isEqualTo(3_000_000_000L);
        assertThat(page.get("has_more").asBoolean()).isFalse();

        assertThat(fal.billingEvents()).extracting(FakeFalServer.BillingEvent::requestId).containsExactly(thousand, byDefault, cheaper);
        assertThat(fal.billingEvents().getFirst().costUsd()).isEqualByComparingTo("2.40");

        // Filters: request ids (comma-separated or repeated), the window on the timestamp, the endpoint.
        assertThat(ids(platform(fal, "/models/billing-events?request_id=" + thousand + "," + failed + "&request_id=" + cheaper)
                .json().get("billing_events"))).containsExactly(thousand, cheaper);
        String second = page.get("billing_events").get(1).get("timestamp").asString();
        assertThat(ids(platform(fal, "/models/billing-events?start=" + second).json().get("billing_events")))
                .containsExactly(byDefault, cheaper);
        assertThat(ids(platform(fal, "/models/billing-events?end=" + second).json().get("billing_events"))).containsExactly(thousand);
        assertThat(platform(fal, "/models/billing-events?endpoint_id=fal-ai/flux/dev").json().get("billing_events")).isEmpty();
        assertThat(ids(platform(fal, "/models/billing-events?limit=2").json().get("billing_events"))).containsExactly(thousand, byDefault);
        assertThat(fal.callCount(FakeFalServer.BILLING)).isEqualTo(6);
    }

    @Test
    void platformCallsCanBeFaultedLikeTheOthers() throws Exception {
        FakeFalServer fal = fal();
        fal.failNext(1, call -> call.operation().equals(FakeFalServer.BILLING), 503, Map.of(), "{\"detail\":\"Unavailable\"}");
        fal.delayNext(1, call -> call.operation().equals(FakeFalServer.REQUESTS), Duration.ofMillis(300));

        assertThat(platform(fal, "/models/billing-events").statusCode()).isEqualTo(503);
        assertThat(platform(fal, "/models/billing-events").statusCode()).isEqualTo(200);
        long started = System.nanoTime();
        assertThat(platform(fal, LISTING).statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    private FakeFalServer fal() {
        FakeFalServer fal = FakeFalServer.start(KEY, ADMIN_KEY);
        closeables.add(fal);
        return fal;
    }

    private record Answer(int statusCode, String body) {

        JsonNode json() {
            return JSON.readTree(body);
        }
    }

    private static String submit(FakeFalServer fal, String input) throws Exception {
        HttpResponse<String> response = submitRequest(fal, input);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).get("request_id").asString();
    }

    private static HttpResponse<String> submitRequest(FakeFalServer fal, String input) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(fal.queueUrl() + "/" + FakeFalServer.ENDPOINT_ID))
                .header("Authorization", "Key " + KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(input))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Answer queue(FakeFalServer fal, String method, String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(fal.queueUrl() + path)).header("Authorization", "Key " + KEY)
                .method(method, HttpRequest.BodyPublishers.noBody()));
    }

    private static Answer platform(FakeFalServer fal, String pathAndQuery) throws Exception {
        return platform(fal, pathAndQuery, ADMIN_KEY);
    }

    private static Answer platform(FakeFalServer fal, String pathAndQuery, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(fal.platformUrl() + pathAndQuery)).GET();
        if (key != null) {
            request.header("Authorization", "Key " + key);
        }
        return send(request);
    }

    private static Answer send(HttpRequest.Builder request) throws Exception {
        HttpResponse<String> response = HTTP.send(request.timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body());
    }

    private static void assertInvalid(Answer answer, String parameter, String type) {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(422);
        JsonNode detail = answer.json().get("detail").get(0);
        assertThat(detail.get("loc").get(1).asString()).isEqualTo(parameter);
        assertThat(detail.get("type").asString()).isEqualTo(type);
        assertThat(detail.get("msg").isString()).isTrue();
    }

    private static boolean ended(FakeFalServer fal, String requestId) {
        return fal.requests().stream().anyMatch(request -> request.requestId().equals(requestId) && request.endedAt() != null
                && !request.endedAt().isAfter(Instant.now()));
    }

    /** The ids of the requests that have ended, by end time. */
    private static List<String> byEnd(FakeFalServer fal) {
        return fal.requests().stream().filter(request -> request.endedAt() != null)
                .sorted(Comparator.comparing(FakeFalServer.Request::endedAt)).map(FakeFalServer.Request::requestId).toList();
    }

    private static List<String> ids(JsonNode items) {
        return items.valueStream().map(item -> item.get("request_id").asString()).toList();
    }

    private static JsonNode item(JsonNode page, String requestId) {
        return page.get("items").valueStream().filter(item -> item.get("request_id").asString().equals(requestId)).findFirst()
                .orElseThrow(() -> new AssertionError(requestId + " not listed in " + page));
    }

    private static void awaitUntil(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition reached in time").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
