package com.ltxgateway.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A plain HTTP client for the gateway's API, as a team's script would call it. */
public final class Api {

    public static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;

    public Api(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    public record Response(int status, java.net.http.HttpHeaders headers, String text) {

        public JsonNode json() {
            return text.isEmpty() ? JSON.nullNode() : JSON.readTree(text);
        }

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    /** A team made for one test, with one key. */
    public record TeamKey(String slug, String key) {
    }

    /** Creates a team with a random slug and one key of the given mode ("live" or "sandbox"). */
    public TeamKey newTeam(String adminKey, String mode) {
        String slug = "team-" + UUID.randomUUID().toString().substring(0, 8);
        Response team = post("/v1/admin/teams", adminKey, "{\"slug\":\"" + slug + "\",\"name\":\"Team " + slug + "\"}");
        assertThat(team.status()).as(team.text()).isEqualTo(201);
        Response key = post("/v1/admin/teams/" + slug + "/api-keys", adminKey, "{\"name\":\"ci\",\"mode\":\"" + mode + "\"}");
        assertThat(key.status()).as(key.text()).isEqualTo(201);
        return new TeamKey(slug, key.json().get("key").asString());
    }

    /** Creates a training and insists it was accepted. */
    public JsonNode createTraining(String key, String body) {
        Response response = post("/v1/trainings", key, body);
        assertThat(response.status()).as(response.text()).isEqualTo(202);
        return response.json();
    }

    /** The training's timeline entries, oldest first; insists the training is the caller's to see. */
    public List<JsonNode> timeline(String key, String trainingId) {
        Response response = get("/v1/trainings/" + trainingId + "/events", key);
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return response.json().get("data").valueStream().toList();
    }

    public Response get(String path, String key) {
        return send("GET", path, key, null, Map.of());
    }

    public Response post(String path, String key, String body) {
        return send("POST", path, key, body, Map.of());
    }

    public Response post(String path, String key, String body, Map<String, String> headers) {
        return send("POST", path, key, body, headers);
    }

    public Response delete(String path, String key) {
        return send("DELETE", path, key, null, Map.of());
    }

    /** A request with a binary body of the given type, such as a dataset's zip. */
    public Response upload(String path, String key, byte[] body, String contentType) {
        return upload(path, key, BodyPublishers.ofByteArray(body), contentType);
    }

    /** Sent chunked, without a Content-Length: the server learns the size only by reading. */
    public Response uploadChunked(String path, String key, byte[] body, String contentType) {
        return upload(path, key, BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body)), contentType);
    }

    /** Bytes sent without a key, as fal's clients put files to a signed upload URL. */
    public Response uploadRaw(String method, String path, byte[] body) {
        return execute(HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(60))
                .method(method, BodyPublishers.ofByteArray(body)).header("Content-Type", "application/octet-stream"));
    }

    private Response upload(String path, String key, HttpRequest.BodyPublisher body, String contentType) {
        var request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(60))
                .POST(body).header("Content-Type", contentType);
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return execute(request);
    }

    public Response send(String method, String path, String key, String body, Map<String, String> headers) {
        var request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        // set, not added: a test may replace the JSON Content-Type the body would otherwise get
        headers.forEach(request::setHeader);
        return execute(request);
    }

    private Response execute(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = client.send(request.build(), BodyHandlers.ofString());
            return new Response(response.statusCode(), response.headers(), response.body());
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
