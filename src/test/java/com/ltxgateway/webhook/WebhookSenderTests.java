package com.ltxgateway.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.ltxgateway.net.OutboundUrlPolicy;
import com.ltxgateway.net.OutboundUrlProperties;
import com.ltxgateway.webhook.Receiver.Reply;
import com.ltxgateway.webhook.WebhookSender.Result;
import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

/**
 * The HTTP side of a delivery against real servers on loopback. Host names under {@code .test} resolve through a
 * made-up DNS, so what the sender connects to can only have come from the policy's own lookup.
 */
class WebhookSenderTests {

    private static final Duration READ_TIMEOUT = Duration.ofMillis(500);

    private final OutboundUrlPolicy policy = new OutboundUrlPolicy(new OutboundUrlProperties(List.of("hooks.test")),
            WebhookSenderTests::resolve);
    private final WebhookSender sender = new WebhookSender(new WebhookProperties(null, Duration.ofHours(24),
            List.of(Duration.ofSeconds(1)), Duration.ofSeconds(2), READ_TIMEOUT, DataSize.ofKilobytes(64),
            Duration.ofMinutes(1), Duration.ofSeconds(1), 4, Duration.ofDays(30), List.of()), policy);
    private final Receiver receiver = Receiver.start();

    @AfterEach
    void close() {
        receiver.close();
        sender.close();
    }

    @Test
    void postsTheBodyWithItsHeadersToTheAddressTheCheckApproved() {
        Result result = sender.post(URI.create(hooksTest("/deliver?k=v")), Map.of("webhook-id", "msg_1", "webhook-timestamp", "1",
                "webhook-signature", "v1,abc"), "{\"type\":\"training.queued\"}".getBytes(StandardCharsets.UTF_8));

        assertThat(result.httpStatus()).isEqualTo(200);
        assertThat(result.error()).isNull();
        assertThat(result.refused()).isFalse();
        assertThat(receiver.received()).singleElement().satisfies(request -> {
            assertThat(request.path()).isEqualTo("/deliver?k=v");
            assertThat(request.header("host")).isEqualTo("hooks.test:" + port());
            assertThat(request.header("content-type")).isEqualTo("application/json");
            assertThat(request.header("content-length")).isEqualTo("26");
            assertThat(request.webhookId()).isEqualTo("msg_1");
            assertThat(request.header("webhook-signature")).isEqualTo("v1,abc");
            assertThat(request.body()).isEqualTo("{\"type\":\"training.queued\"}");
        });
    }

    @Test
    void refusesAHostThatResolvesInsideWithoutConnecting() {
        for (String host : List.of("rebound.test", "mixed.test")) {
            Result result = sender.post(URI.create("http://" + host + ":" + port() + "/x"), Map.of(), new byte[0]);

            assertThat(result.refused()).as(host).isTrue();
            assertThat(result.httpStatus()).isNull();
            assertThat(result.error()).isEqualTo("refused: must not point at a loopback address");
        }
        assertThat(receiver.received()).isEmpty();
    }

    @Test
    void followsNoRedirect() {
        receiver.respond(request -> new Reply(302, Map.of("Location", hooksTest("/elsewhere"))));

        Result result = sender.post(URI.create(hooksTest("/moved")), Map.of(), new byte[0]);

        assertThat(result.httpStatus()).isEqualTo(302);
        assertThat(receiver.received()).extracting(Receiver.Request::path).containsExactly("/moved");
    }

    @Test
    void passesOnRetryAfter() {
        receiver.respond(request -> new Reply(429, Map.of("Retry-After", "120")));

        Result result = sender.post(URI.create(hooksTest("/busy")), Map.of(), new byte[0]);

        assertThat(result.httpStatus()).isEqualTo(429);
        assertThat(result.retryAfter()).isEqualTo(Duration.ofSeconds(120));
    }

    @Test
    void readsNoMoreOfAResponseThanTheLimit() throws Exception {
        AtomicLong written = new AtomicLong();
        CountDownLatch closed = new CountDownLatch(1);
        HttpServer endless = server(exchange -> {
            exchange.sendResponseHeaders(200, 0);
            byte[] chunk = new byte[8192];
            try (OutputStream out = exchange.getResponseBody()) {
                while (written.get() < DataSize.ofMegabytes(256).toBytes()) {
                    out.write(chunk);
                    written.addAndGet(chunk.length);
                }
            }
            catch (IOException e) {
                closed.countDown();
            }
        });
        try {
            Result result = sender.post(URI.create("http://hooks.test:" + endless.getAddress().getPort() + "/"), Map.of(), new byte[0]);

            assertThat(result.httpStatus()).isEqualTo(200);
            assertThat(closed.await(10, TimeUnit.SECONDS)).as("the sender hung up").isTrue();
            assertThat(written.get()).isLessThan(DataSize.ofMegabytes(16).toBytes());
        }
        finally {
            endless.stop(0);
        }
    }

    @Test
    void reportsTimeoutsAndRefusedConnectionsWithoutDetails() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        HttpServer silent = server(exchange -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        try {
            Result slow = sender.post(URI.create("http://hooks.test:" + silent.getAddress().getPort() + "/"), Map.of(), new byte[0]);

            assertThat(slow.httpStatus()).isNull();
            assertThat(slow.refused()).isFalse();
            assertThat(slow.error()).isEqualTo("timeout after 500ms");
        }
        finally {
            release.countDown();
            silent.stop(0);
        }

        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        assertThat(sender.post(URI.create("http://hooks.test:" + closedPort + "/"), Map.of(), new byte[0]).error())
                .isEqualTo("connection refused");
        assertThat(sender.post(URI.create("http://nowhere.test/"), Map.of(), new byte[0]).error()).isEqualTo("unknown host");
    }

    private int port() {
        return URI.create(receiver.url("/")).getPort();
    }

    private String hooksTest(String path) {
        return "http://hooks.test:" + port() + path;
    }

    private static HttpServer server(com.sun.net.httpserver.HttpHandler handler) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        server.createContext("/", handler);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        return server;
    }

    /** hooks.test (allowed by name) and rebound.test resolve to loopback; mixed.test to a public and a loopback address. */
    private static InetAddress[] resolve(String host) throws UnknownHostException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        return switch (host) {
            case "hooks.test", "rebound.test" -> new InetAddress[] { loopback };
            case "mixed.test" -> new InetAddress[] { InetAddress.getByName("93.184.215.9"), loopback };
            default -> throw new UnknownHostException(host);
        };
    }
}
