package com.ltxgateway.dataset;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.ltxgateway.support.Api.Response;
import com.ltxgateway.support.GatewayTestSupport;

import com.sun.net.httpserver.HttpServer;
import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import static com.ltxgateway.dataset.TestZips.MOV_17_FRAMES;
import static com.ltxgateway.dataset.TestZips.MP4_49_FRAMES;
import static com.ltxgateway.dataset.TestZips.zip;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code POST /v1/trainings/validate} with {@code "preflight": true}: the zip at the URL fetched, inspected, not kept. */
class DatasetPreflightTests extends GatewayTestSupport {

    private static final Map<String, byte[]> ZIPS = new ConcurrentHashMap<>();
    private static HttpServer host;

    @Autowired
    JdbcClient jdbc;

    @BeforeAll
    static void startHost() throws IOException {
        host = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        host.createContext("/", exchange -> {
            try (exchange) {
                byte[] zip = ZIPS.get(exchange.getRequestURI().getPath());
                if (zip == null) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                exchange.sendResponseHeaders(200, zip.length);
                exchange.getResponseBody().write(zip);
            }
        });
        host.start();
    }

    @AfterAll
    static void stopHost() {
        host.stop(0);
    }

    @Test
    void aGoodZipIsReportedReadyWithItsFiguresAndNothingIsKept() throws Exception {
        String key = newTeamKey("live");
        byte[] zip = zip().clips(10, MP4_49_FRAMES).text("clip-00.txt", "a cat").bytes();
        long datasets = count("dataset");
        long trainings = count("training");

        JsonNode preflight = preflight(key, serve("/good.zip", zip), "\"number_of_frames\": 49");

        assertThat(preflight.get("status").asString()).isEqualTo("ready");
        assertThat(preflight.get("size_bytes").asLong()).isEqualTo(zip.length);
        assertThat(preflight.get("sha256").asString()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(zip)));
        assertThat(preflight.get("clips").asInt()).isEqualTo(10);
        assertThat(preflight.get("captions").asInt()).isEqualTo(1);
        assertThat(preflight.get("shortest_clip_frames").asInt()).isEqualTo(49);
        assertThat(preflight.get("problems").isEmpty()).isTrue();
        assertThat(count("dataset")).isEqualTo(datasets);
        assertThat(count("training")).isEqualTo(trainings);
    }

    @Test
    void everyProblemFalWouldFindIsNamedWithItsPath() {
        String key = newTeamKey("live");
        String url = serve("/short.zip", zip().clips(10, MP4_49_FRAMES).clip("short.mov", MOV_17_FRAMES).entry("still.jpg", new byte[] { 1 }).bytes());

        JsonNode preflight = preflight(key, url, "\"number_of_frames\": 25");

        assertThat(preflight.get("status").asString()).isEqualTo("invalid");
        assertThat(preflight.get("problems").valueStream().map(p -> p.get("path").asString() + ": " + p.get("message").asString()))
                .containsExactlyInAnyOrder(
                        "still.jpg: an image: an interpolation dataset has video clips only (.avi, .mkv, .mov, .mp4, .webm)",
                        "short.mov: has 17 frames, fewer than input.number_of_frames (25); use longer clips, fewer frames, or input.auto_scale_input");
        assertThat(preflight(key, url, "\"number_of_frames\": 25, \"auto_scale_input\": true").get("problems").size())
                .as("scaled: only the image").isEqualTo(1);
    }

    @Test
    void aZipThatCannotBeFetchedOrReadIsAProblemOfThePreflightNotAnError() {
        String key = newTeamKey("live");

        assertThat(only(preflight(key, "http://127.0.0.1:" + host.getAddress().getPort() + "/missing.zip", "")))
                .isEqualTo("the URL answered HTTP 404: fal could not download it either");
        assertThat(only(preflight(key, serve("/text.zip", "not a zip".getBytes()), ""))).startsWith("not a readable zip archive");
        assertThat(only(preflight(key, "http://10.255.255.1/private.zip", "")))
                .startsWith("the URL leads to an address the gateway does not call");
        assertThat(only(preflight(key, serve("/large.zip", new byte[(int) DATASETS_MAX_SIZE + 10]), "")))
                .isEqualTo("the zip is larger than " + DATASETS_MAX_SIZE + " bytes (gateway.datasets.max-size)");
    }

    @Test
    void aPreflightNeedsAUrlAndABoolean() {
        String key = newTeamKey("live");

        Response notBoolean = api.post("/v1/trainings/validate", key,
                "{\"preflight\": \"yes\", \"input\": {\"training_data_url\": \"https://example.com/a.zip\"}}");
        assertThat(notBoolean.status()).isEqualTo(400);
        assertThat(notBoolean.json().get("errors").get(0).get("field").asString()).isEqualTo("preflight");
        Response onCreate = api.post("/v1/trainings", key, "{\"preflight\": true, \"input\": {\"training_data_url\": \"https://example.com/a.zip\"}}");
        assertThat(onCreate.status()).as("a create knows no preflight").isEqualTo(400);
        Response withoutPreflight = api.post("/v1/trainings/validate", key, "{\"input\": {\"training_data_url\": \"https://example.com/a.zip\"}}");
        assertThat(withoutPreflight.status()).isEqualTo(200);
        assertThat(withoutPreflight.json().get("preflight").isNull()).isTrue();
    }

    private JsonNode preflight(String key, String url, String input) {
        Response response = api.post("/v1/trainings/validate", key, "{\"preflight\": true, \"input\": {\"training_data_url\": \"" + url + "\""
                + (input.isEmpty() ? "" : ", " + input) + "}}");
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return response.json().get("preflight");
    }

    private static String only(JsonNode preflight) {
        assertThat(preflight.get("status").asString()).isEqualTo("invalid");
        assertThat(preflight.get("problems").size()).isEqualTo(1);
        assertThat(preflight.get("problems").get(0).get("path").asString()).isEmpty();
        return preflight.get("problems").get(0).get("message").asString();
    }

    private static String serve(String path, byte[] zip) {
        ZIPS.put(path, zip);
        return "http://127.0.0.1:" + host.getAddress().getPort() + path;
    }

    private long count(String table) {
        return jdbc.sql("select count(*) from " + table).query(Long.class).single();
    }
}
