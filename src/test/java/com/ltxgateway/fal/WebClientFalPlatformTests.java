package com.ltxgateway.fal;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.util.unit.DataSize;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

class WebClientFalPlatformTests {

    private static final String ADMIN_KEY = "6a1f0c3e-9b2d-4e8f-a7c6-5d4b3a291807:0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    private static final String QUEUE_KEY = "3f9c1b2a-5d6e-4f70-8a9b-0c1d2e3f4a5b:9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b";
    private static final String ENDPOINT_ID = "fal-ai/ltx23-trainer-v2/interpolate";
    private static final Instant START = Instant.parse("2026-03-01T10:00:00Z");
    private static final Instant END = Instant.parse("2026-03-01T11:30:00.250Z");
    private static final JsonMapper JSON = JsonMapper.shared();

    private final MockWebServer server = new MockWebServer();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private WebClientFalPlatform platform;

    @BeforeEach
    void start() throws IOException {
        server.start(InetAddress.getByName("127.0.0.1"), 0);
        platform = platform(ADMIN_KEY);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable closeable : closeables.reversed()) {
            closeable.close();
        }
        server.close();
    }

    private FalProperties properties(String adminKey) {
        return new FalProperties(QUEUE_KEY, URI.create("https://queue.fal.run"), null, ENDPOINT_ID, Duration.ofMillis(500),
                Duration.ofSeconds(1), DataSize.ofKilobytes(64), null, null, null, URI.create("http://127.0.0.1:" + server.getPort() + "/v1"),
                adminKey, null, null, null, null, null, 16);
    }

    private WebClientFalPlatform platform(String adminKey) {
        WebClientFalPlatform platform = new WebClientFalPlatform(WebClient.builder(), properties(adminKey), new SimpleMeterRegistry());
        closeables.add(platform);
        return platform;
    }

    private void respond(int code, String body, String... headers) {
        MockFal.respond(server, code, body, headers);
    }

    private RecordedRequest taken() throws InterruptedException {
        return MockFal.taken(server);
    }

    private static <T> T success(FalOutcome<T> outcome) {
        assertThat(outcome).isInstanceOf(FalOutcome.Success.class);
        return ((FalOutcome.Success<T>) outcome).value();
    }

    // --- requests --------------------------------------------------------------------------------------------------

    @Test
    void requestsAskForTheEndpointsPayloadsBetweenStartAndEnd() throws Exception {
        respond(200, "{\"items\":[],\"next_cursor\":null,\"has_more\":false}");

        assertThat(success(platform.requests(START, END, null))).isEqualTo(new FalPage<>(List.of(), null));

        RecordedRequest request = taken();
        assertThat(request.getMethod()).isEqualTo("GET");
        assertThat(request.getUrl().encodedPath()).isEqualTo("/v1/models/requests/by-endpoint");
        assertThat(request.getUrl().queryParameter("endpoint_id")).isEqualTo(ENDPOINT_ID);
        assertThat(request.getUrl().queryParameter("start")).isEqualTo("2026-03-01T10:00:00Z");
        assertThat(request.getUrl().queryParameter("end")).isEqualTo("2026-03-01T11:30:00.250Z");
        assertThat(request.getUrl().queryParameter("limit")).isEqualTo("100");
        assertThat(request.getUrl().queryParameter("expand")).isEqualTo("payloads");
        assertThat(request.getUrl().queryParameter("cursor")).isNull();
        assertThat(request.getHeaders().get("Authorization")).isEqualTo("Key " + ADMIN_KEY);
        assertThat(request.getHeaders().get("Accept")).isEqualTo("application/json");
    }

    @Test
    void requestItemsAreReadTolerantly() {
        respond(200, """
                {"items":[
                  {"request_id":"req-1","endpoint_id":"%s","sent_at":"2026-03-01T10:00:05Z","started_at":"2026-03-01T10:01:00.5+00:00",
                   "ended_at":"2026-03-01T10:21:00.123456+02:00","status_code":200,"duration":1200.5,"logs":["ignored"],
                   "json_input":{"training_data_url":"https://example.com/clips.zip","number_of_steps":1000,"learning_rate":0.0002,
                     "file_data":"kept: this is the input as submitted"},
                   "json_output":{"lora_file":{"url":"https://v3.fal.media/files/a/lora.safetensors","file_data":"QUJD"},"config_file":{"url":"c"}}},
                  {"endpoint_id":"%s","sent_at":"2026-03-01T10:02:00Z"},
                  {"request_id":"","sent_at":"2026-03-01T10:02:00Z"},
                  "not an item",
                  {"request_id":"req-2","sent_at":"yesterday","started_at":null,"status_code":"500","json_input":null,"unknown":{"x":1}},
                  {"request_id":"req-3","sent_at":"2026-03-01T10:03:00","ended_at":"2026-03-01T10:09:00Z","status_code":422,
                   "json_output":{"detail":[{"loc":["body","validation"],"msg":"Field required"}]}}
                ],"next_cursor":"b2Zmc2V0PTEwMA==+/","has_more":true,"total":12}""".formatted(ENDPOINT_ID, ENDPOINT_ID));

        FalPage<FalRequestRecord> page = success(platform.requests(START, END, null));

        assertThat(page.nextCursor()).isEqualTo("b2Zmc2V0PTEwMA==+/");
        assertThat(page.items()).extracting(FalRequestRecord::requestId).containsExactly("req-1", "req-2", "req-3");
        FalRequestRecord first = page.items().getFirst();
        assertThat(first).isEqualTo(new FalRequestRecord("req-1", ENDPOINT_ID, Instant.parse("2026-03-01T10:00:05Z"),
                Instant.parse("2026-03-01T10:01:00.500Z"), Instant.parse("2026-03-01T08:21:00.123456Z"), 200,
                JSON.readTree("""
                        {"training_data_url":"https://example.com/clips.zip","number_of_steps":1000,"learning_rate":0.0002,
                         "file_data":"kept: this is the input as submitted"}"""),
                JSON.readTree("{\"lora_file\":{\"url\":\"https://v3.fal.media/files/a/lora.safetensors\"},\"config_file\":{\"url\":\"c\"}}")));
        assertThat(first.result()).isInstanceOf(FalResult.Output.class);
        assertThat(page.items().get(1)).isEqualTo(new FalRequestRecord("req-2", null, null, null, null, null, null, null));
        FalRequestRecord third = page.items().get(2);
        assertThat(third.sentAt()).as("no offset: UTC").isEqualTo(Instant.parse("2026-03-01T10:03:00Z"));
        assertThat(third.result()).isEqualTo(new FalResult.Error(new FalError("fal_validation_error", "body.validation: Field required",
                JSON.readTree("[{\"loc\":[\"body\",\"validation\"],\"msg\":\"Field required\"}]"))));
    }

    @Test
    void pagesFollowTheCursorUntilThereAreNoMore() throws Exception {
        respond(200, "{\"items\":[{\"request_id\":\"a\"}],\"next_cursor\":\"c/1+2=\",\"has_more\":true}");
        respond(200, "{\"items\":[{\"request_id\":\"b\"}],\"next_cursor\":\"c2\",\"has_more\":false}");
        respond(200, "{\"items\":[{\"request_id\":\"c\"}],\"next_cursor\":null}");

        FalPage<FalRequestRecord> first = success(platform.requests(START, END, null));
        FalPage<FalRequestRecord> second = success(platform.requests(START, END, first.nextCursor()));
        FalPage<FalRequestRecord> third = success(platform.requests(START, END, "c3"));

        assertThat(first.nextCursor()).isEqualTo("c/1+2=");
        assertThat(second.nextCursor()).as("has_more=false ends the list whatever the cursor").isNull();
        assertThat(third.nextCursor()).isNull();
        taken();
        RecordedRequest request = taken();
        assertThat(request.getTarget()).contains("&cursor=c%2F1%2B2%3D").doesNotContain("+");
        assertThat(request.getUrl().queryParameter("cursor")).isEqualTo("c/1+2=");
        assertThat(taken().getUrl().queryParameter("cursor")).isEqualTo("c3");
    }

    @Test
    void aPageWithoutItsListIsUnparseable() {
        respond(200, "{\"next_cursor\":null}");
        respond(200, "<html>maintenance</html>");

        assertThat(platform.requests(START, END, null)).isEqualTo(new FalOutcome.Unavailable<>(200, "HTTP 200 unparseable body", null, true));
        assertThat(platform.billingEvents(START, END, null)).isEqualTo(new FalOutcome.Unavailable<>(200, "HTTP 200 unparseable body", null, true));
    }

    @Test
    void aLargePageIsReadWithoutInlineFileData() {
        String data = "QUJD".repeat(2_000_000);
        StringBuilder body = new StringBuilder("{\"items\":[");
        for (int i = 0; i < 100; i++) {
            body.append(i == 0 ? "" : ",").append("{\"request_id\":\"req-").append(i).append("\",\"status_code\":200,")
                    .append("\"json_input\":{\"prompt\":\"").append("p".repeat(10_000)).append("\"},")
                    .append("\"json_output\":{\"lora_file\":{\"url\":\"u\",\"file_data\":\"").append(i == 0 ? data : "").append("\"}}}");
        }
        body.append("],\"next_cursor\":null}");
        respond(200, body.toString());

        FalPage<FalRequestRecord> page = success(platform.requests(START, END, null));

        assertThat(page.items()).hasSize(100);
        assertThat(page.items().getFirst().output()).isEqualTo(JSON.readTree("{\"lora_file\":{\"url\":\"u\"}}"));
        assertThat(page.items().getLast().input().path("prompt").stringValue()).hasSize(10_000);
    }

    @Test
    void aPageOverThirtyTwoMegabytesIsRefused() {
        respond(200, "{\"items\":[],\"padding\":\"" + "x".repeat(33 * 1024 * 1024) + "\"}");

        assertThat(platform.requests(START, END, null)).isEqualTo(new FalOutcome.Unavailable<>(0, "response too large", null, true));
    }

    // --- billing events ------------------------------------------------------------------------------------------

    @Test
    void billingEventsAskForTheEndpointBetweenStartAndEnd() throws Exception {
        respond(200, "{\"billing_events\":[],\"next_cursor\":null,\"has_more\":false}");

        assertThat(success(platform.billingEvents(START, END, "next+page"))).isEqualTo(new FalPage<>(List.of(), null));

        RecordedRequest request = taken();
        assertThat(request.getUrl().encodedPath()).isEqualTo("/v1/models/billing-events");
        assertThat(request.getUrl().queryParameter("endpoint_id")).isEqualTo(ENDPOINT_ID);
        assertThat(request.getUrl().queryParameter("start")).isEqualTo("2026-03-01T10:00:00Z");
        assertThat(request.getUrl().queryParameter("end")).isEqualTo("2026-03-01T11:30:00.250Z");
        assertThat(request.getUrl().queryParameter("limit")).isEqualTo("100");
        assertThat(request.getUrl().queryParameter("cursor")).isEqualTo("next+page");
        assertThat(request.getUrl().queryParameter("expand")).isNull();
        assertThat(request.getHeaders().get("Authorization")).isEqualTo("Key " + ADMIN_KEY);
    }

    @Test
    void billingEventsCostNanoDollarsExactly() {
        respond(200, """
                {"billing_events":[
                  {"request_id":"a","endpoint_id":"%s","timestamp":"2026-03-01T10:21:00Z","output_units":1000,"unit_price":0.0024,
                   "percent_discount":0,"cost_estimate_nano_usd":2400000000},
                  {"request_id":"b","timestamp":"2026-03-01T10:22:00+00:00","cost_estimate_nano_usd":1},
                  {"request_id":"c","cost_estimate_nano_usd":123456789012345678901234567890},
                  {"request_id":"d","cost_estimate_nano_usd":2160000000.5},
                  {"request_id":"e","cost_estimate_nano_usd":"1200000000"},
                  {"request_id":"f","cost_estimate_nano_usd":null},
                  {"cost_estimate_nano_usd":5}
                ],"next_cursor":"n2","has_more":true}""".formatted(ENDPOINT_ID));

        FalPage<FalBillingEvent> page = success(platform.billingEvents(START, END, null));

        assertThat(page.nextCursor()).isEqualTo("n2");
        assertThat(page.items()).extracting(FalBillingEvent::requestId).containsExactly("a", "b", "c", "d", "e", "f");
        assertThat(page.items().getFirst()).isEqualTo(new FalBillingEvent("a", ENDPOINT_ID, Instant.parse("2026-03-01T10:21:00Z"),
                new BigDecimal("2.400000000")));
        assertThat(page.items().get(1).timestamp()).isEqualTo(Instant.parse("2026-03-01T10:22:00Z"));
        assertThat(page.items()).extracting(FalBillingEvent::costUsd).usingElementComparator(WebClientFalPlatformTests::compare)
                .containsExactly(new BigDecimal("2.4"), new BigDecimal("0.000000001"), new BigDecimal("123456789012345678901.23456789"),
                        new BigDecimal("2.1600000005"), new BigDecimal("1.2"), null);
    }

    private static int compare(BigDecimal a, BigDecimal b) {
        return a == null || b == null ? (a == b ? 0 : 1) : a.compareTo(b);
    }

    // --- faults ----------------------------------------------------------------------------------------------------

    @Test
    void faultsAreClassifiedLikeTheQueues() {
        respond(401, "{\"detail\":\"Invalid key\"}");
        respond(403, "{\"detail\":\"Admin scope required\"}");
        respond(429, "{\"detail\":\"Rate limited\"}", "Retry-After", "12");
        respond(503, "", "X-Fal-Error-Type", "service_unavailable");
        respond(400, "{\"detail\":\"start must be before end\"}");
        respond(422, "{\"detail\":[{\"loc\":[\"query\",\"limit\"],\"msg\":\"too large\"}]}");
        respond(302, "", "Location", "https://elsewhere.example/steal");

        assertThat(platform.requests(START, END, null)).isEqualTo(new FalOutcome.Unavailable<>(401, "HTTP 401 fal refused the key", null, false, true));
        assertThat(platform.billingEvents(START, END, null)).isEqualTo(new FalOutcome.Unavailable<>(403, "HTTP 403 fal refused the key", null, false, true));
        assertThat(platform.requests(START, END, null)).isEqualTo(new FalOutcome.Unavailable<>(429, "HTTP 429", Duration.ofSeconds(12)));
        assertThat(platform.requests(START, END, null)).isEqualTo(new FalOutcome.Unavailable<>(503, "HTTP 503 service_unavailable", null));
        assertThat(platform.requests(START, END, null)).isEqualTo(new FalOutcome.Rejected<>(400,
                new FalError("fal_http_400", "start must be before end", JSON.readTree("\"start must be before end\""))));
        assertThat(platform.billingEvents(START, END, null)).isInstanceOfSatisfying(FalOutcome.Rejected.class,
                rejected -> assertThat(rejected.error().message()).isEqualTo("query.limit: too large"));
        assertThat(platform.requests(START, END, null)).as("redirects are not followed")
                .isEqualTo(new FalOutcome.Unavailable<>(302, "HTTP 302", null));
        assertThat(server.getRequestCount()).isEqualTo(7);
    }

    @Test
    void slowAnswerTimesOut() {
        server.enqueue(new MockResponse.Builder().headersDelay(5, TimeUnit.SECONDS).body("{}").build());

        assertThat(platform.requests(START, END, null)).isEqualTo(new FalOutcome.Unavailable<>(0, "timeout after 1s", null, true));
    }

    @Test
    void withoutAnAdminKeyNothingIsAsked() {
        WebClientFalPlatform disabled = platform(null);
        WebClientFalPlatform blank = platform("  ");

        assertThat(disabled.enabled()).isFalse();
        assertThat(blank.enabled()).isFalse();
        assertThat(platform.enabled()).isTrue();
        assertThat(disabled.requests(START, END, null)).isEqualTo(new FalOutcome.Unavailable<>(0, "no admin key configured", null));
        assertThat(blank.billingEvents(START, END, null)).isEqualTo(new FalOutcome.Unavailable<>(0, "no admin key configured", null));
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void wiresAsABean() {
        new ApplicationContextRunner()
                .withBean(WebClient.Builder.class, WebClient::builder)
                .withBean(FalProperties.class, () -> properties(ADMIN_KEY))
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withBean(WebClientFalPlatform.class)
                .run(context -> {
                    assertThat(context).hasSingleBean(FalPlatform.class);
                    respond(200, "{\"billing_events\":[{\"request_id\":\"a\",\"cost_estimate_nano_usd\":1000}]}");
                    assertThat(success(context.getBean(FalPlatform.class).billingEvents(START, END, null)).items()).hasSize(1);
                });
    }

    // --- the key -------------------------------------------------------------------------------------------------

    @Test
    void adminKeyNeverShowsInOutcomesOrLogs() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        root.addAppender(appender);
        List<Logger> verbose = List.of((Logger) LoggerFactory.getLogger("com.ltxgateway.fal"),
                (Logger) LoggerFactory.getLogger("org.springframework.web.reactive.function.client"),
                (Logger) LoggerFactory.getLogger("org.springframework.http"),
                (Logger) LoggerFactory.getLogger("reactor.netty"));
        List<Level> levels = verbose.stream().map(Logger::getLevel).toList();
        verbose.forEach(logger -> logger.setLevel(Level.TRACE));
        try {
            respond(401, "{\"detail\":\"Key " + ADMIN_KEY + " is not valid\"}");
            respond(400, "{\"detail\":[{\"loc\":[\"header\",\"Authorization\"],\"msg\":\"Key " + ADMIN_KEY + "\"}]}");
            respond(500, "{\"detail\":\"" + ADMIN_KEY + "\"}", "X-Fal-Error-Type", ADMIN_KEY);
            respond(200, "{\"items\":[{\"request_id\":\"" + ADMIN_KEY + "\",\"endpoint_id\":\"" + ADMIN_KEY + "\",\"json_input\":{\""
                    + ADMIN_KEY + "\":\"" + ADMIN_KEY + "\"},\"json_output\":{\"detail\":\"" + ADMIN_KEY + "\"},\"status_code\":500,"
                    + "\"ended_at\":\"2026-03-01T10:00:00Z\"}],\"next_cursor\":\"" + ADMIN_KEY + "\"}");
            respond(200, "{\"billing_events\":[{\"request_id\":\"x\",\"endpoint_id\":\"" + ADMIN_KEY + "\"}]}");

            List<Object> seen = new ArrayList<>();
            seen.add(properties(ADMIN_KEY));
            seen.add(platform.requests(START, END, null));
            seen.add(platform.billingEvents(START, END, null));
            seen.add(platform.requests(START, END, null));
            FalOutcome<FalPage<FalRequestRecord>> echoed = platform.requests(START, END, null);
            seen.add(echoed);
            success(echoed).items().forEach(item -> seen.add(item.result()));
            seen.add(platform.billingEvents(START, END, null));
            seen.add(platform(ADMIN_KEY).requests(START, END, null));

            assertThat(seen).allSatisfy(outcome -> assertThat(String.valueOf(outcome)).doesNotContain(ADMIN_KEY));
            assertThat(appender.list).isNotEmpty().allSatisfy(event -> {
                assertThat(event.getFormattedMessage()).doesNotContain(ADMIN_KEY);
                if (event.getThrowableProxy() != null) {
                    assertThat(ThrowableProxyUtil.asString(event.getThrowableProxy())).doesNotContain(ADMIN_KEY);
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

    // --- pricing ---------------------------------------------------------------------------------------------------

    @Test
    void priceIsTheEndpointsOwnInUsd() throws Exception {
        respond(200, """
                {"prices":[{"endpoint_id":"fal-ai/other","unit_price":9,"unit":"images","currency":"USD"},
                           {"endpoint_id":"%s","unit_price":0.00216,"unit":"steps","currency":"USD"}],
                 "next_cursor":null,"has_more":false}""".formatted(ENDPOINT_ID));

        assertThat(success(platform.price())).isEqualTo(new FalPrice(new BigDecimal("0.00216"), "steps"));

        RecordedRequest request = taken();
        assertThat(request.getUrl().encodedPath()).isEqualTo("/v1/models/pricing");
        assertThat(request.getUrl().queryParameter("endpoint_id")).isEqualTo(ENDPOINT_ID);
        assertThat(request.getHeaders().get("Authorization")).isEqualTo("Key " + ADMIN_KEY);
    }

    @Test
    void aPriceTheGatewayCannotUseIsUnavailable() {
        respond(200, "{\"prices\":[{\"endpoint_id\":\"%s\",\"unit_price\":0.002,\"currency\":\"EUR\"}]}".formatted(ENDPOINT_ID));
        respond(200, "{\"prices\":[{\"endpoint_id\":\"%s\",\"unit_price\":0,\"currency\":\"USD\"}]}".formatted(ENDPOINT_ID));
        respond(200, "{\"prices\":[]}");
        respond(200, "{\"detail\":\"no prices here\"}");
        respond(503, "{\"detail\":\"down\"}");

        assertThat(platform.price()).isInstanceOfSatisfying(FalOutcome.Unavailable.class,
                u -> assertThat(u.reason()).contains("USD"));
        assertThat(platform.price()).isInstanceOf(FalOutcome.Unavailable.class);
        assertThat(platform.price()).isInstanceOfSatisfying(FalOutcome.Unavailable.class,
                u -> assertThat(u.reason()).contains("no price for " + ENDPOINT_ID));
        assertThat(platform.price()).isInstanceOf(FalOutcome.Unavailable.class);
        assertThat(platform.price()).isInstanceOfSatisfying(FalOutcome.Unavailable.class, u -> assertThat(u.httpStatus()).isEqualTo(503));
    }

    @Test
    void noAdminKeyNoPriceQuestion() {
        assertThat(platform(null).price()).isInstanceOf(FalOutcome.Unavailable.class);
        assertThat(server.getRequestCount()).isZero();
    }
}
