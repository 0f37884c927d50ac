package com.ltxgateway.fal;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import tools.jackson.databind.json.JsonMapper;

/**
 * fal's side of webhooks for tests: publishes a JWKS over HTTP, as fal does at {@code gateway.fal.jwks-url}, and
 * signs deliveries with the private halves of its keys, so tests can post webhooks the receiver has to accept and
 * forge ones it has to refuse. Thread-safe.
 *
 * <pre>{@code
 * var fal = FakeFalWebhooks.start();                 // publishes one key
 * var headers = fal.sign(requestId, body, Instant.now());
 * }</pre>
 */
public final class FakeFalWebhooks implements AutoCloseable {

    public static final String USER_ID = "test-user";

    private final HttpServer server;
    private final Map<String, KeyPair> published = new LinkedHashMap<>();
    private final AtomicInteger fetches = new AtomicInteger();
    private volatile String document;

    private FakeFalWebhooks() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/.well-known/jwks.json", this::serve);
        server.start();
    }

    /** Serves a JWKS with one key, {@code fal-1}, on 127.0.0.1 and a random port. */
    public static FakeFalWebhooks start() {
        FakeFalWebhooks fal = new FakeFalWebhooks();
        fal.publish("fal-1");
        return fal;
    }

    public URI jwksUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/.well-known/jwks.json");
    }

    /** How often the JWKS was fetched. */
    public int fetches() {
        return fetches.get();
    }

    /** Adds a new key to the published set and returns it. */
    public synchronized KeyPair publish(String kid) {
        KeyPair key = newKey();
        published.put(kid, key);
        Map<String, PublicKey> keys = new LinkedHashMap<>();
        published.forEach((id, pair) -> keys.put(id, pair.getPublic()));
        document = JsonMapper.shared().writeValueAsString(Ed25519Jwks.jwks(keys));
        return key;
    }

    /** A key fal never published. */
    public static KeyPair newKey() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Headers signing {@code body} with the first published key, as fal would at {@code at}. */
    public FalWebhookSignature.Headers sign(String requestId, String body, Instant at) {
        return sign(requestId, USER_ID, body, at);
    }

    /** Like {@link #sign(String, String, Instant)}, for the account of another fal user. */
    public synchronized FalWebhookSignature.Headers sign(String requestId, String userId, String body, Instant at) {
        PrivateKey key = published.values().iterator().next().getPrivate();
        return FalWebhookSignature.sign(key, requestId, userId, at.getEpochSecond(), body.getBytes(StandardCharsets.UTF_8));
    }

    public static FalWebhookSignature.Headers sign(KeyPair key, String requestId, String body, Instant at) {
        return FalWebhookSignature.sign(key.getPrivate(), requestId, USER_ID, at.getEpochSecond(), body.getBytes(StandardCharsets.UTF_8));
    }

    /** The headers as an HTTP client sends them; null values are left out. */
    public static Map<String, String> asMap(FalWebhookSignature.Headers headers) {
        Map<String, String> map = new LinkedHashMap<>();
        put(map, FalWebhookSignature.REQUEST_ID_HEADER, headers.requestId());
        put(map, FalWebhookSignature.USER_ID_HEADER, headers.userId());
        put(map, FalWebhookSignature.TIMESTAMP_HEADER, headers.timestamp());
        put(map, FalWebhookSignature.SIGNATURE_HEADER, headers.signature());
        return map;
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private static void put(Map<String, String> map, String name, String value) {
        if (value != null) {
            map.put(name, value);
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            fetches.incrementAndGet();
            byte[] body = document.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
