package com.ltxgateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.Map;

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
