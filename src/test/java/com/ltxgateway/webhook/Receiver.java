package com.ltxgateway.webhook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Function;

import com.ltxgateway.support.Api;
import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import tools.jackson.databind.JsonNode;

/**
 * A team's webhook receiver: a real HTTP server on loopback that records every request and answers as a test
 * tells it to. It can go down and come back on the same port, as a redeployed receiver does.
 */
final class Receiver implements AutoCloseable {

    /** One request as it arrived; {@code headers} keyed case-insensitively. */
    record Request(String path, Map<String, List<String>> headers, String body) {

        String header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : values.getFirst();
        }

        String webhookId() {
            return header("webhook-id");
        }

        JsonNode json() {
            return Api.JSON.readTree(body);
        }

        String type() {
            return json().path("type").asString();
        }

        String trainingId() {
            return json().path("data").path("id").asString();
        }

        /** Verifies the signature the way a receiver would, with the Standard Webhooks library. */
        boolean verifiesWith(String secret) {
            try {
                new Webhook(secret).verify(body, headers);
                return true;
            }
            catch (WebhookVerificationException e) {
                return false;
            }
            catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** How the receiver answers: status and headers. */
    record Reply(int status, Map<String, String> headers) {

        static Reply of(int status) {
            return new Reply(status, Map.of());
        }
    }

    private final List<Request> received = new CopyOnWriteArrayList<>();
    private final int port;
    private volatile Function<Request, Reply> responder = request -> Reply.of(200);
    private volatile HttpServer server;

    private Receiver() {
        server = bind(0);
        port = server.getAddress().getPort();
    }

    static Receiver start() {
        return new Receiver();
    }

    private HttpServer bind(int onPort) {
        try {
            HttpServer created = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), onPort), 50);
            created.createContext("/", this::handle);
            created.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            created.start();
            return created;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    void respond(Function<Request, Reply> answer) {
        this.responder = answer;
    }

    /** Connections are refused from now on. */
    void down() {
        server.stop(0);
        server = null;
    }

    void up() {
        server = bind(port);
    }

    List<Request> received() {
        return List.copyOf(received);
    }

    List<Request> received(String trainingId) {
        return received.stream().filter(r -> trainingId.equals(r.trainingId())).toList();
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, List.copyOf(values)));
            Request request = new Request(exchange.getRequestURI().toString(), headers,
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            received.add(request);
            Reply reply = responder.apply(request);
            reply.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
            exchange.sendResponseHeaders(reply.status(), -1);
        }
    }
}
