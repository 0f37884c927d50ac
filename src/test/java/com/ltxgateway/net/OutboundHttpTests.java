package com.ltxgateway.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import com.sun.net.httpserver.HttpServer;

import io.netty.handler.codec.http.HttpMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The one outbound client against a real server on loopback: what it keeps, what it refuses to do, how it fails. */
class OutboundHttpTests {

    private static final OutboundTimeouts TIMEOUTS = new OutboundTimeouts(Duration.ofSeconds(1), Duration.ofMillis(300));

    private final HttpServer server = server();
    private final OutboundHttp http = OutboundHttp.pooled("outbound-tests", TIMEOUTS);

    @AfterEach
    void close() {
        http.close();
        server.stop(0);
    }

    @Test
    void aCallLastsAtMostConnectThenTwiceTheReadTimeout() {
        assertThat(TIMEOUTS.longestCall()).isEqualTo(Duration.ofMillis(1600));
    }

    @Test
    void keepsAsMuchOfTheAnswerAsAskedAndSaysWhenItWentOnPastTheLimit() {
        answer("/ten", 200, "0123456789");

        OutboundHttp.Answer whole = http.exchange(HttpMethod.GET, url("/ten"), Map.of(), null, 64, 64);
        OutboundHttp.Answer head = http.exchange(HttpMethod.GET, url("/ten"), Map.of(), null, 4, 64);
        OutboundHttp.Answer cut = http.exchange(HttpMethod.GET, url("/ten"), Map.of(), null, 4, 5);

        assertThat(new String(whole.body(), StandardCharsets.UTF_8)).isEqualTo("0123456789");
        assertThat(whole.tooLarge()).isFalse();
        assertThat(new String(head.body(), StandardCharsets.UTF_8)).isEqualTo("0123");
        assertThat(head.tooLarge()).isFalse();
        assertThat(cut.tooLarge()).isTrue();
    }

    @Test
    void sendsTheBodyWithItsHeadersAndHandsBackTheAnswersHeaders() {
        server.createContext("/echo", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Retry-After", "7");
            exchange.getResponseHeaders().add("X-Seen", exchange.getRequestHeaders().getFirst("X-Sent"));
            exchange.sendResponseHeaders(202, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });

        OutboundHttp.Answer answer = http.exchange(HttpMethod.POST, url("/echo"), Map.of("X-Sent", "yes"),
                "{}".getBytes(StandardCharsets.UTF_8), 64, 64);

        assertThat(answer.status()).isEqualTo(202);
        assertThat(answer.is2xx()).isTrue();
        assertThat(answer.header("Retry-After")).isEqualTo("7");
        assertThat(answer.header("X-Seen")).isEqualTo("yes");
        assertThat(new String(answer.body(), StandardCharsets.UTF_8)).isEqualTo("{}");
    }

    @Test
    void neverFollowsARedirect() {
        server.createContext("/moved", exchange -> {
            exchange.getResponseHeaders().add("Location", url("/elsewhere").toString());
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        answer("/elsewhere", 200, "followed");

        OutboundHttp.Answer answer = http.exchange(HttpMethod.GET, url("/moved"), Map.of(), null, 64, 64);

        assertThat(answer.status()).isEqualTo(302);
        assertThat(answer.body()).isEmpty();
    }

    @Test
    void namesWhyNoAnswerCameWithoutTheUrl() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        server.createContext("/silent", exchange -> {
            try {
                Thread.sleep(2_000);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });

        OutboundCallFailed refused = catchThrowableOfType(OutboundCallFailed.class,
                () -> http.exchange(HttpMethod.GET, URI.create("http://127.0.0.1:" + closedPort + "/?token=secret"), Map.of(), null, 0, 0));
        OutboundCallFailed silent = catchThrowableOfType(OutboundCallFailed.class,
                () -> http.exchange(HttpMethod.GET, url("/silent"), Map.of(), null, 0, 0));

        assertThat(refused.reason()).isEqualTo("connection refused");
        assertThat(refused.getMessage()).doesNotContain("secret");
        assertThat(refused.refused()).isFalse();
        assertThat(silent.reason()).isEqualTo("timeout after 300ms");
    }

    @Test
    void downloadsIntoAFileWithItsDigestAndNeverWritesMoreThanAllowed() throws Exception {
        byte[] body = new byte[3 * 1024 * 1024 + 17];
        new java.util.Random(3).nextBytes(body);
        server.createContext("/lora", exchange -> {
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        Path file = Files.createTempFile("download", ".bin");

        OutboundHttp.Download whole = http.download(url("/lora"), file, body.length, Duration.ofSeconds(10));

        assertThat(whole.status()).isEqualTo(200);
        assertThat(whole.bytes()).isEqualTo(body.length);
        assertThat(whole.tooLarge()).isFalse();
        assertThat(Files.readAllBytes(file)).isEqualTo(body);
        assertThat(whole.sha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body)));

        OutboundHttp.Download cut = http.download(url("/lora"), file, 1024, Duration.ofSeconds(10));
        assertThat(cut.tooLarge()).isTrue();
        assertThat(Files.size(file)).isEqualTo(1024);
    }

    @Test
    void aDownloadAnsweredWithAnErrorWritesNothingAndOneCutShortFails() throws Exception {
        answer("/gone", 404, "{\"detail\": \"not found\"}");
        server.createContext("/cut", exchange -> {
            // Promises 1,000 bytes, sends 10 and hangs up.
            exchange.sendResponseHeaders(200, 1000);
            exchange.getResponseBody().write("0123456789".getBytes(StandardCharsets.UTF_8));
            exchange.getResponseBody().flush();
            exchange.close();
        });
        Path file = Files.createTempFile("download", ".bin");

        OutboundHttp.Download gone = http.download(url("/gone"), file, 1 << 20, Duration.ofSeconds(5));
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.bytes()).isZero();
        assertThat(Files.size(file)).isZero();

        assertThat(catchThrowableOfType(OutboundCallFailed.class, () -> http.download(url("/cut"), file, 1 << 20, Duration.ofSeconds(5))))
                .isNotNull();
    }

    @Test
    void anAddressLiteralThePolicyRefusesIsRefusedBeforeAnyConnection() throws Exception {
        try (OutboundHttp checked = OutboundHttp.pooled("outbound-literals", TIMEOUTS,
                new OutboundUrlPolicy(new OutboundUrlProperties(java.util.List.of())))) {
            for (String url : java.util.List.of("http://10.255.255.1/x", "http://[::127.0.0.1]/x", "http://198.18.0.1/x")) {
                assertThatThrownBy(() -> checked.exchange(HttpMethod.GET, java.net.URI.create(url), java.util.Map.of(), null, 100, 100))
                        .as(url).isInstanceOfSatisfying(OutboundCallFailed.class, failed -> assertThat(failed.refused()).isTrue());
                assertThatThrownBy(() -> checked.download(java.net.URI.create(url), java.nio.file.Files.createTempFile("literal", ".bin"), 100,
                        java.time.Duration.ofSeconds(1))).as(url).isInstanceOf(OutboundCallFailed.class);
            }
        }
    }

    @Test
    void callsBeyondThePoolsConnectionsWaitForOneInsteadOfBeingRefused() throws Exception {
        AtomicInteger answering = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        server.createContext("/slow", exchange -> {
            mostAtOnce.accumulateAndGet(answering.incrementAndGet(), Math::max);
            try (exchange) {
                Thread.sleep(50);
                exchange.sendResponseHeaders(200, -1);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            finally {
                answering.decrementAndGet();
            }
        });
        List<Integer> statuses;
        // Reactor Netty's own default refuses calls once twice the pool's size wait: 6 of these would fail.
        try (OutboundHttp twoConnections = OutboundHttp.pooled("outbound-two", TIMEOUTS, 2);
                var callers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> calls = IntStream.range(0, 12)
                    .mapToObj(i -> callers.submit(() -> twoConnections.exchange(HttpMethod.GET, url("/slow"), Map.of(), null, 0, 0).status()))
                    .toList();
            statuses = new ArrayList<>();
            for (Future<Integer> call : calls) {
                statuses.add(call.get());
            }
        }

        assertThat(statuses).hasSize(12).containsOnly(200);
        assertThat(mostAtOnce).hasValueLessThanOrEqualTo(2);
    }

    private void answer(String path, int status, String body) {
        server.createContext(path, exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private static HttpServer server() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.start();
            return server;
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
