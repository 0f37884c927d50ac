package com.ltxgateway.fal;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import com.ltxgateway.fal.FakeFalServer.Chaos;
import com.ltxgateway.fal.FakeFalServer.Outcome;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/** The fake's Platform API, webhooks, lost answers and chaos, spoken to over HTTP the way fal's clients speak. */
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

    // --- webhooks ------------------------------------------------------------------------------------------------

    @Test
    void postsASignedWebhookWhenARequestCompletes() throws Exception {
        FakeFalWebhooks signer = signer();
        FakeFalServer fal = fal().runDuration(Duration.ofMillis(200)).sendWebhooks(signer);
        Receiver receiver = receiver();

        String id = submit(fal, "{\"training_data_url\":\"https://x/ok.zip\"}", receiver.url("/hooks/fal?training=tr_1"));

        Delivery delivery = receiver.next();
        assertThat(delivery.path()).isEqualTo("/hooks/fal?training=tr_1");
        assertThat(verified(signer, delivery)).isTrue();
        assertThat(delivery.header(FalWebhookSignature.USER_ID_HEADER)).isEqualTo(FakeFalWebhooks.USER_ID);
        assertThat(delivery.header(FalWebhookSignature.REQUEST_ID_HEADER)).isEqualTo(id);
        JsonNode body = delivery.json();
        assertThat(body.get("request_id").asString()).isEqualTo(id);
        assertThat(body.get("gateway_request_id").asString()).isEqualTo(id);
        assertThat(body.get("status").asString()).isEqualTo("OK");
        assertThat(body.has("error")).isFalse();
        assertThat(body.get("payload").get("lora_file").get("url").asString()).endsWith("/" + id + "/pytorch_lora_weights.safetensors");
        assertThat(delivery.at()).isAfterOrEqualTo(fal.requests().getFirst().endedAt());
        assertThat(fal.callCount(FakeFalServer.STATUS)).as("found by the scheduler, not by a poll").isZero();
        // The attempt is recorded once the receiver's answer is back, which can be after the receiver saw the delivery.
        awaitUntil(() -> !fal.webhookDeliveries().isEmpty());
        assertThat(fal.webhookDeliveries()).singleElement().satisfies(attempt -> {
            assertThat(attempt.requestId()).isEqualTo(id);
            assertThat(attempt.attempt()).isEqualTo(1);
            assertThat(attempt.status()).isEqualTo(200);
            assertThat(attempt.delivered()).isTrue();
        });

        // A request submitted without a webhook gets none.
        submit(fal, "{\"training_data_url\":\"https://x/quiet.zip\"}");
        Thread.sleep(400);
        assertThat(receiver.deliveries).isEmpty();
    }

    @Test
    void retriesAFailedDeliveryAfterGrowingWaits() throws Exception {
        FakeFalWebhooks signer = signer();
        FakeFalServer fal = fal().runDuration(Duration.ZERO).sendWebhooks(signer);
        Receiver receiver = receiver();
        receiver.failures.set(2);

        String id = submit(fal, "{\"training_data_url\":\"https://x/ok.zip\"}", receiver.url("/hooks"));

        Delivery first = receiver.next();
        Delivery second = receiver.next();
        Delivery third = receiver.next();
        assertThat(List.of(first, second, third)).allSatisfy(delivery -> assertThat(verified(signer, delivery)).isTrue());
        assertThat(third.body()).isEqualTo(first.body());
        assertThat(Duration.between(first.at(), second.at())).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        assertThat(Duration.between(second.at(), third.at())).isGreaterThanOrEqualTo(Duration.ofMillis(500));
        awaitUntil(() -> fal.webhookDeliveries().size() == 3);
        assertThat(fal.webhookDeliveries()).extracting(FakeFalServer.WebhookDelivery::attempt, FakeFalServer.WebhookDelivery::status)
                .containsExactly(tuple(1, 500), tuple(2, 500),
                        tuple(3, 200));
        Thread.sleep(300);
        assertThat(receiver.deliveries).as("delivered: no more attempts").isEmpty();
        assertThat(fal.webhookDeliveries()).allSatisfy(attempt -> assertThat(attempt.requestId()).isEqualTo(id));
    }

    @Test
    void retriesAnUnreachableReceiverAtWhereverTheTargetPointsNow() throws Exception {
        FakeFalWebhooks signer = signer();
        Receiver receiver = receiver();
        URI dead = URI.create("http://127.0.0.1:" + freePort() + "/hooks");
        AtomicReference<URI> alive = new AtomicReference<>(dead);
        FakeFalServer fal = fal().runDuration(Duration.ZERO).sendWebhooks(signer, "account-7").webhookTarget(url -> alive.get());

        String id = submit(fal, "{\"training_data_url\":\"https://x/ok.zip\"}", URI.create("https://gateway.example/hooks"));
        awaitUntil(() -> !fal.webhookDeliveries().isEmpty());
        alive.set(receiver.url("/hooks"));

        Delivery delivery = receiver.next();
        assertThat(delivery.header(FalWebhookSignature.USER_ID_HEADER)).isEqualTo("account-7");
        assertThat(verified(signer, delivery)).isTrue();
        awaitUntil(() -> fal.webhookDeliveries().size() == 2);
        FakeFalServer.WebhookDelivery refused = fal.webhookDeliveries().getFirst();
        assertThat(refused.url()).isEqualTo(dead);
        assertThat(refused.status()).isNull();
        assertThat(refused.error()).contains("ConnectException");
        assertThat(fal.webhookDeliveries().get(1).url()).isEqualTo(receiver.url("/hooks"));
        assertThat(fal.webhookDeliveries().get(1).delivered()).isTrue();
        assertThat(fal.submissions().getFirst().webhookUrl()).isEqualTo(URI.create("https://gateway.example/hooks"));
        assertThat(fal.requests().getFirst().requestId()).isEqualTo(id);
    }

    @Test
    void postsAnErrorForAFailedRunAndForACanceledOne() throws Exception {
        FakeFalWebhooks signer = signer();
        FakeFalServer fal = fal().runDuration(Duration.ofMillis(100)).sendWebhooks(signer)
                .failRunsWhen(input -> input.path("fail").asBoolean(), 422, "validation_error", "The archive holds no video clips");
        Receiver receiver = receiver();

        String failed = submit(fal, "{\"training_data_url\":\"https://x/bad.zip\",\"fail\":true}", receiver.url("/hooks"));
        Delivery failure = receiver.next();
        assertThat(verified(signer, failure)).isTrue();
        assertThat(failure.json()).isEqualTo(JSON.readTree("""
                {"request_id": "%1$s", "gateway_request_id": "%1$s", "status": "ERROR", "error": "Invalid status code: 422",
                 "payload": {"detail": "The archive holds no video clips", "error_type": "validation_error"}}""".formatted(failed)));

        fal.runDuration(Duration.ofSeconds(30));
        String canceled = submit(fal, "{\"training_data_url\":\"https://x/cancel.zip\"}", receiver.url("/hooks"));
        Thread.sleep(100);
        long cancelAt = System.nanoTime();
        assertThat(queue(fal, "PUT", "/fal-ai/ltx23-trainer-v2/requests/" + canceled + "/cancel").json().get("status").asString())
                .isEqualTo("CANCELLATION_REQUESTED");
        Delivery cancel = receiver.next();
        assertThat(Duration.ofNanos(System.nanoTime() - cancelAt)).isLessThan(Duration.ofSeconds(2));
        assertThat(verified(signer, cancel)).isTrue();
        assertThat(cancel.json()).isEqualTo(JSON.readTree("""
                {"request_id": "%1$s", "gateway_request_id": "%1$s", "status": "ERROR", "error": "Invalid status code: 400",
                 "payload": {"detail": "Request was cancelled"}}""".formatted(canceled)));
        assertThat(fal.requests().get(1).outcome()).isEqualTo(Outcome.CANCELED);
        Thread.sleep(200);
        assertThat(receiver.deliveries).as("announced once").isEmpty();
    }

    @Test
    void dropsWebhooksWhileTold() throws Exception {
        FakeFalServer fal = fal().runDuration(Duration.ZERO).sendWebhooks(signer()).dropWebhooks(true);
        Receiver receiver = receiver();

        String id = submit(fal, "{\"training_data_url\":\"https://x/ok.zip\"}", receiver.url("/hooks"));

        awaitUntil(() -> !fal.webhookDeliveries().isEmpty());
        Thread.sleep(400);
        assertThat(fal.webhookDeliveries()).singleElement().satisfies(attempt -> {
            assertThat(attempt.requestId()).isEqualTo(id);
            assertThat(attempt.error()).isEqualTo("dropped");
            assertThat(attempt.delivered()).isFalse();
        });
        assertThat(receiver.deliveries).isEmpty();

        fal.dropWebhooks(false);
        submit(fal, "{\"training_data_url\":\"https://x/next.zip\"}", receiver.url("/hooks"));
        assertThat(receiver.next().json().get("status").asString()).isEqualTo("OK");
    }

    // --- lost answers --------------------------------------------------------------------------------------------

    @Test
    void acceptsASubmitWhoseAnswerIsLost() throws Exception {
        FakeFalServer fal = fal().runDuration(Duration.ofMillis(50));
        fal.dropAnswerNext(1, call -> "https://x/lost.zip".equals(call.trainingDataUrl()));

        String kept = submit(fal, "{\"training_data_url\":\"https://x/kept.zip\"}");
        String lostInput = "{\"training_data_url\":\"https://x/lost.zip\",\"number_of_steps\":500}";
        assertThatThrownBy(() -> submitRequest(fal, lostInput, null)).isInstanceOf(IOException.class);
        String again = submit(fal, "{\"training_data_url\":\"https://x/lost.zip\"}");

        assertThat(fal.submissions()).hasSize(3);
        FakeFalServer.Request lost = fal.requests().get(1);
        assertThat(lost.requestId()).isNotIn(kept, again);
        assertThat(lost.input().get("training_data_url").asString()).isEqualTo("https://x/lost.zip");
        awaitUntil(() -> ended(fal, lost.requestId()));
        assertThat(fal.requests().get(1).outcome()).isEqualTo(Outcome.SUCCEEDED);
        JsonNode listed = platform(fal, LISTING + "&expand=payloads").json();
        assertThat(item(listed, lost.requestId()).get("json_input").get("number_of_steps").asInt()).isEqualTo(500);
        assertThat(fal.billingEvents()).filteredOn(event -> event.requestId().equals(lost.requestId())).singleElement()
                .satisfies(event -> assertThat(event.costEstimateNanoUsd()).isEqualTo(1_200_000_000L));
    }

    // --- chaos ---------------------------------------------------------------------------------------------------

    @Test
    void injectsSeededFaultsAndCountsThem() throws Exception {
        Chaos chaos = new Chaos(42, 0.2, 0.2, 0.3, 0.2);
        Map<Chaos.Kind, Integer> seen = run(fal().runDuration(Duration.ZERO).chaos(chaos), 60);

        FakeFalServer fal = fal().runDuration(Duration.ZERO).chaos(chaos);
        assertThat(run(fal, 60)).isEqualTo(seen);
        assertThat(fal.injected()).isEqualTo(seen);
        assertThat(seen.values()).allSatisfy(count -> assertThat(count).isPositive());
        // Refused submits created nothing; accepted ones, answered or not, did.
        assertThat(fal.requests()).hasSize(60 - seen.get(Chaos.Kind.SUBMIT_503) - seen.get(Chaos.Kind.SUBMIT_429));

        fal.chaos(null);
        assertThat(submitRequest(fal, "{}", null).statusCode()).isEqualTo(200);
        assertThat(fal.injected()).as("kept for the report").isEqualTo(seen);
        fal.chaos(chaos);
        assertThat(fal.injected().values()).containsOnly(0);
    }

    @Test
    void answersChaosLikeFalAndLeavesTargetedCallsAlone() throws Exception {
        FakeFalServer fal = fal().chaos(new Chaos(7, 1, 0, 1, 0));
        HttpResponse<String> refused = submitRequest(fal, "{}", null);
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("X-Fal-Error-Type")).hasValue("runner_scheduling_failure");
        assertThat(JSON.readTree(refused.body())).isEqualTo(JSON.readTree(
                "{\"detail\":\"No runner available\",\"error_type\":\"runner_scheduling_failure\"}"));

        fal.delayNext(1, call -> call.operation().equals(FakeFalServer.SUBMIT), Duration.ofMillis(1));
        String id = JSON.readTree(submitRequest(fal, "{}", null).body()).get("request_id").asString();
        assertThat(queue(fal, "GET", "/fal-ai/ltx23-trainer-v2/requests/" + id + "/status").statusCode()).isEqualTo(500);

        fal.chaos(new Chaos(7, 0, 1, 0, 0));
        HttpResponse<String> limited = submitRequest(fal, "{}", null);
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
        fal.dropAnswerNext(1, call -> true);
        assertThatThrownBy(() -> submitRequest(fal, "{}", null)).as("the targeted fault, not chaos").isInstanceOf(IOException.class);
        assertThat(fal.injected().get(Chaos.Kind.SUBMIT_429)).isEqualTo(1);
        assertThat(fal.requests()).hasSize(2);

        assertThatThrownBy(() -> new Chaos(1, 0.6, 0.5, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Chaos(1, 0, 0, 1.5, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Submits {@code count} times, asking each accepted request's status once; returns the faults seen. */
    private Map<Chaos.Kind, Integer> run(FakeFalServer fal, int count) throws Exception {
        Map<Chaos.Kind, Integer> seen = new EnumMap<>(Chaos.Kind.class);
        for (Chaos.Kind kind : Chaos.Kind.values()) {
            seen.put(kind, 0);
        }
        for (int i = 0; i < count; i++) {
            HttpResponse<String> submit;
            try {
                submit = submitRequest(fal, "{\"training_data_url\":\"https://x/" + i + ".zip\"}", null);
            }
            catch (IOException lost) {
                seen.merge(Chaos.Kind.SUBMIT_ANSWER_DROPPED, 1, Integer::sum);
                continue;
            }
            switch (submit.statusCode()) {
                case 503 -> seen.merge(Chaos.Kind.SUBMIT_503, 1, Integer::sum);
                case 429 -> seen.merge(Chaos.Kind.SUBMIT_429, 1, Integer::sum);
                default -> {
                    assertThat(submit.statusCode()).isEqualTo(200);
                    String id = JSON.readTree(submit.body()).get("request_id").asString();
                    int status = queue(fal, "GET", "/fal-ai/ltx23-trainer-v2/requests/" + id + "/status").statusCode();
                    if (status == 500) {
                        seen.merge(Chaos.Kind.STATUS_500, 1, Integer::sum);
                    }
                    else {
                        assertThat(status).isEqualTo(200);
                    }
                }
            }
        }
        return seen;
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    private FakeFalServer fal() {
        FakeFalServer fal = FakeFalServer.start(KEY, ADMIN_KEY);
        closeables.add(fal);
        return fal;
    }

    private FakeFalWebhooks signer() {
        FakeFalWebhooks signer = FakeFalWebhooks.start();
        closeables.add(signer);
        return signer;
    }

    private record Answer(int statusCode, String body) {

        JsonNode json() {
            return JSON.readTree(body);
        }
    }

    private static String submit(FakeFalServer fal, String input) throws Exception {
        return submit(fal, input, null);
    }

    private static String submit(FakeFalServer fal, String input, URI webhook) throws Exception {
        HttpResponse<String> response = submitRequest(fal, input, webhook);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body()).get("request_id").asString();
    }

    private static HttpResponse<String> submitRequest(FakeFalServer fal, String input, URI webhook) throws Exception {
        String query = webhook == null ? "" : "?fal_webhook=" + URLEncoder.encode(webhook.toString(), StandardCharsets.UTF_8);
        return HTTP.send(HttpRequest.newBuilder(URI.create(fal.queueUrl() + "/" + FakeFalServer.ENDPOINT_ID + query))
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

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    /** Checks a delivery the way the gateway does: the signature over the raw body, by a key of fal's JWKS, and fresh. */
    private static boolean verified(FakeFalWebhooks signer, Delivery delivery) throws Exception {
        HttpResponse<String> jwks = HTTP.send(HttpRequest.newBuilder(signer.jwksUrl()).build(), HttpResponse.BodyHandlers.ofString());
        List<PublicKey> keys = Ed25519Jwks.parse(JSON.readTree(jwks.body()));
        String timestamp = delivery.header(FalWebhookSignature.TIMESTAMP_HEADER);
        if (Math.abs(Instant.now().getEpochSecond() - Long.parseLong(timestamp)) > 300) {
            return false;
        }
        byte[] message = FalWebhookSignature.message(delivery.header(FalWebhookSignature.REQUEST_ID_HEADER),
                delivery.header(FalWebhookSignature.USER_ID_HEADER), timestamp, delivery.body().getBytes(StandardCharsets.UTF_8));
        byte[] signature = HexFormat.of().parseHex(delivery.header(FalWebhookSignature.SIGNATURE_HEADER));
        return keys.stream().anyMatch(key -> FalWebhookSignature.verifies(key, message, signature));
    }

    private record Delivery(String path, Map<String, List<String>> headers, String body, Instant at) {

        String header(String name) {
            return headers.entrySet().stream().filter(entry -> entry.getKey().equalsIgnoreCase(name))
                    .map(entry -> entry.getValue().getFirst()).findFirst().orElse(null);
        }

        JsonNode json() {
            return JSON.readTree(body);
        }
    }

    /** A webhook endpoint: records every delivery; answers 500 while {@code failures} is positive, 200 after. */
    private Receiver receiver() throws IOException {
        Receiver receiver = new Receiver(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0));
        closeables.add(() -> receiver.server.stop(0));
        return receiver;
    }

    private static final class Receiver {

        final HttpServer server;
        final BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
        final AtomicInteger failures = new AtomicInteger();

        Receiver(HttpServer server) {
            this.server = server;
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/", exchange -> {
                try (exchange; InputStream in = exchange.getRequestBody()) {
                    String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    deliveries.add(new Delivery(exchange.getRequestURI().toString(), Map.copyOf(exchange.getRequestHeaders()), body,
                            Instant.now()));
                    exchange.sendResponseHeaders(failures.getAndDecrement() > 0 ? 500 : 200, -1);
                }
            });
            server.start();
        }

        URI url(String pathAndQuery) {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + pathAndQuery);
        }

        Delivery next() throws InterruptedException {
            Delivery delivery = deliveries.poll(5, TimeUnit.SECONDS);
            assertThat(delivery).as("a webhook delivery").isNotNull();
            return delivery;
        }
    }
}
