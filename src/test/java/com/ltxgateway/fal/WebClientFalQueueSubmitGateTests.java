package com.ltxgateway.fal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.util.unit.DataSize;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the submit gate is asked, what reaches fal around it, and what a failure or an interrupt at each point means
 * for {@code answerLost}. A raw socket server shows exactly which bytes arrived while the gate was deciding.
 */
class WebClientFalQueueSubmitGateTests {

    private static final String KEY = "3f9c1b2a-5d6e-4f70-8a9b-0c1d2e3f4a5b:9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b";
    private static final String ENDPOINT_ID = "fal-ai/ltx23-trainer-v2/interpolate";
    private static final String REQUEST_ID = "764cabcf-b745-4b3e-ae38-1200304cf45b";
    private static final JsonNode INPUT = JsonMapper.shared().readTree("{\"prompt\":\"a cat\",\"number_of_steps\":1000}");
    private static final String ACCEPTED = "{\"status\":\"IN_QUEUE\",\"request_id\":\"" + REQUEST_ID + "\",\"queue_position\":0}";

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable closeable : closeables.reversed()) {
            closeable.close();
        }
    }

    private WebClientFalQueue queue(URI queueUrl) {
        FalProperties properties = new FalProperties(KEY, queueUrl, null, ENDPOINT_ID, Duration.ofMillis(500),
                Duration.ofSeconds(1), DataSize.ofKilobytes(64), null, null, null, null, null, null, null, null, null, null, 16);
        WebClientFalQueue queue = new WebClientFalQueue(WebClient.builder(), properties, new SimpleMeterRegistry());
        closeables.add(queue);
        return queue;
    }

    private RawServer rawServer() throws IOException {
        RawServer server = new RawServer(ACCEPTED);
        closeables.add(server);
        return server;
    }

    private MockWebServer mockServer() throws IOException {
        MockWebServer server = new MockWebServer();
        server.start(InetAddress.getByName("127.0.0.1"), 0);
        closeables.add(server);
        return server;
    }

    private static FalEndpoint endpoint(int port) {
        return new FalEndpoint(URI.create("http://127.0.0.1:" + port), ENDPOINT_ID, KEY);
    }

    // --- the gate --------------------------------------------------------------------------------------------------

    @Test
    void gateIsAskedOnceWithTheConnectionOpenAndNothingWrittenYet() throws Exception {
        RawServer server = rawServer();
        WebClientFalQueue queue = queue(server.url());
        AtomicInteger asked = new AtomicInteger();
        AtomicReference<String> seenAtGate = new AtomicReference<>();
        SubmitGate gate = () -> {
            asked.incrementAndGet();
            // The server's accept may lag the client's connect a little; a connection not yet opened would never come.
            for (int i = 0; i < 100 && server.connections() == 0; i++) {
                sleep(10);
            }
            sleep(300);
            // Whatever the client had written before asking would have arrived by now.
            seenAtGate.set(server.connections() + " connection(s), " + server.received().length() + " byte(s)");
            return true;
        };

        FalSubmission submission = success(queue.submit(endpoint(server.port()), INPUT, FalQueuePriority.NORMAL, null, gate));

        assertThat(submission.request().requestId()).isEqualTo(REQUEST_ID);
        assertThat(asked).hasValue(1);
        assertThat(seenAtGate).hasValue("1 connection(s), 0 byte(s)");
        String request = server.received();
        assertThat(request).startsWith("POST /fal-ai/ltx23-trainer-v2/interpolate HTTP/1.1\r\n")
                .contains("\r\ncontent-length: " + JsonMapper.shared().writeValueAsBytes(INPUT).length + "\r\n")
                .endsWith("\r\n\r\n" + JsonMapper.shared().writeValueAsString(INPUT));
    }

    @Test
    void shutGateSendsNothing() throws Exception {
        RawServer server = rawServer();
        WebClientFalQueue queue = queue(server.url());
        AtomicInteger asked = new AtomicInteger();

        FalOutcome<FalSubmission> outcome = queue.submit(endpoint(server.port()), INPUT, FalQueuePriority.NORMAL, null, () -> {
            asked.incrementAndGet();
            return false;
        });

        assertThat(outcome).isEqualTo(new FalOutcome.Unavailable<>(0, "not sent: the submit was not permitted", null, false));
        assertThat(asked).hasValue(1);
        sleep(300);
        assertThat(server.connections()).as("the gate is asked on an open connection").isEqualTo(1);
        assertThat(server.received()).isEmpty();

        assertThat(success(queue.submit(endpoint(server.port()), INPUT, FalQueuePriority.NORMAL, null, SubmitGate.ALWAYS_OPEN)).request().requestId())
                .isEqualTo(REQUEST_ID);
        assertThat(server.received()).startsWith("POST /fal-ai/ltx23-trainer-v2/interpolate HTTP/1.1\r\n");
    }

    @Test
    void failingGateSendsNothing() throws Exception {
        RawServer server = rawServer();
        WebClientFalQueue queue = queue(server.url());

        FalOutcome<FalSubmission> outcome = queue.submit(endpoint(server.port()), INPUT, FalQueuePriority.NORMAL, null, () -> {
            throw new IllegalStateException("database unavailable");
        });

        assertThat(outcome).isEqualTo(new FalOutcome.Unavailable<>(0, "not sent: the submit gate failed (IllegalStateException)", null, false));
        sleep(300);
        assertThat(server.received()).isEmpty();
    }

    @Test
    void refusedConnectionNeverAsksTheGate() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = socket.getLocalPort();
        }
        WebClientFalQueue queue = queue(URI.create("http://127.0.0.1:" + closedPort));
        AtomicInteger asked = new AtomicInteger();

        FalOutcome<FalSubmission> outcome = queue.submit(endpoint(closedPort), INPUT, FalQueuePriority.NORMAL, null, () -> asked.incrementAndGet() > 0);

        assertThat(outcome).isEqualTo(new FalOutcome.Unavailable<>(0, "connection refused", null, false));
        assertThat(asked).hasValue(0);
    }

    @Test
    void readTimeoutAfterTheGateOpenedMayHaveReachedFal() throws Exception {
        MockWebServer server = mockServer();
        server.enqueue(new MockResponse.Builder().headersDelay(5, TimeUnit.SECONDS).body(ACCEPTED).build());
        WebClientFalQueue queue = queue(server.url("/").uri());
        AtomicInteger asked = new AtomicInteger();

        FalOutcome<FalSubmission> outcome = queue.submit(endpoint(server.getPort()), INPUT, FalQueuePriority.NORMAL, null, () -> asked.incrementAndGet() > 0);

        assertThat(outcome).isEqualTo(new FalOutcome.Unavailable<>(0, "timeout after 1s", null, true));
        assertThat(asked).hasValue(1);
        assertThat(server.takeRequest(1, TimeUnit.SECONDS)).isNotNull();
    }

    @Test
    void droppedConnectionAfterTheGateOpenedMayHaveReachedFal() throws Exception {
        RawServer server = rawServer().closeOnRequest();
        WebClientFalQueue queue = queue(server.url());

        FalOutcome.Unavailable<?> outcome = unavailable(queue.submit(endpoint(server.port()), INPUT, FalQueuePriority.NORMAL, null, SubmitGate.ALWAYS_OPEN));

        assertThat(outcome.answerLost()).isTrue();
        assertThat(outcome.reason()).isEqualTo("connection closed prematurely");
    }

    @Test
    void gateStillDecidingWhenTheCallTimesOutSendsNothingLater() throws Exception {
        RawServer server = rawServer();
        WebClientFalQueue queue = queue(server.url());
        CountDownLatch gateReturned = new CountDownLatch(1);

        // The whole call may take connect + 2 x read timeout = 2.5 s; this gate takes longer, then opens.
        FalOutcome<FalSubmission> outcome = queue.submit(endpoint(server.port()), INPUT, FalQueuePriority.NORMAL, null, () -> {
            sleep(3000);
            gateReturned.countDown();
            return true;
        });

        assertThat(outcome).isEqualTo(new FalOutcome.Unavailable<>(0, "not sent: timeout after 2500ms at the submit gate", null, false));
        assertThat(gateReturned.await(2, TimeUnit.SECONDS)).isTrue();
        sleep(300);
        assertThat(server.received()).isEmpty();
    }

    @Test
    void gateRunsWithTheCallersLoggingContext() throws Exception {
        RawServer server = rawServer();
        WebClientFalQueue queue = queue(server.url());
        AtomicReference<String> training = new AtomicReference<>();

        MDC.put("training", "tr_01");
        try {
            success(queue.submit(endpoint(server.port()), INPUT, FalQueuePriority.NORMAL, null, () -> {
                training.set(MDC.get("training"));
                return true;
            }));
        }
        finally {
            MDC.remove("training");
        }

        assertThat(training).hasValue("tr_01");
    }

    @Test
    void submitTakesAConnectionOfItsOwn() throws Exception {
        MockWebServer server = mockServer();
        String status = "{\"status\":\"IN_QUEUE\",\"queue_position\":0}";
        server.enqueue(new MockResponse.Builder().code(202).body(status).build());
        server.enqueue(new MockResponse.Builder().body(ACCEPTED).build());
        server.enqueue(new MockResponse.Builder().code(202).body(status).build());
        WebClientFalQueue queue = queue(server.url("/").uri());
        FalEndpoint endpoint = endpoint(server.getPort());

        success(queue.status(endpoint, FalRequestRef.of(REQUEST_ID), 0));
        success(queue.submit(endpoint, INPUT, FalQueuePriority.NORMAL, null, SubmitGate.ALWAYS_OPEN));
        success(queue.status(endpoint, FalRequestRef.of(REQUEST_ID), 0));

        RecordedRequest first = server.takeRequest(1, TimeUnit.SECONDS);
        RecordedRequest submit = server.takeRequest(1, TimeUnit.SECONDS);
        RecordedRequest second = server.takeRequest(1, TimeUnit.SECONDS);
        assertThat(submit.getMethod()).isEqualTo("POST");
        assertThat(submit.getExchangeIndex()).as("a new connection, not one that sat idle in the pool").isZero();
        assertThat(submit.getConnectionIndex()).isNotEqualTo(first.getConnectionIndex());
        assertThat(second.getConnectionIndex()).as("other calls share the pool").isEqualTo(first.getConnectionIndex());
    }

    // --- interrupts ----------------------------------------------------------------------------------------------

    @Test
    void interruptAfterTheRequestWasSentEndsTheCallAtOnceAndMayHaveReachedFal() throws Exception {
        MockWebServer server = mockServer();
        server.enqueue(new MockResponse.Builder().headersDelay(10, TimeUnit.SECONDS).body(ACCEPTED).build());
        WebClientFalQueue queue = queue(server.url("/").uri());

        Interrupted<FalSubmission> call = Interrupted.start(() -> queue.submit(endpoint(server.getPort()), INPUT, FalQueuePriority.NORMAL, null, SubmitGate.ALWAYS_OPEN));
        RecordedRequest request = server.takeRequest(2, TimeUnit.SECONDS);
        assertThat(request).isNotNull();
        call.interrupt();

        assertThat(call.outcome()).isEqualTo(new FalOutcome.Unavailable<>(0, "interrupted", null, true));
        assertThat(call.stillInterrupted()).as("the interrupt flag is restored").isTrue();
        assertThat(call.returnedWithin()).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void interruptWhileTheGateDecidesSendsNothing() throws Exception {
        RawServer server = rawServer();
        WebClientFalQueue queue = queue(server.url());
        CountDownLatch atGate = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch gateReturned = new CountDownLatch(1);
        AtomicInteger asked = new AtomicInteger();
        SubmitGate gate = () -> {
            asked.incrementAndGet();
            atGate.countDown();
            try {
                release.await();
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            gateReturned.countDown();
            return true;
        };

        Interrupted<FalSubmission> call = Interrupted.start(() -> queue.submit(endpoint(server.port()), INPUT, FalQueuePriority.NORMAL, null, gate));
        assertThat(atGate.await(2, TimeUnit.SECONDS)).isTrue();
        call.interrupt();

        assertThat(call.outcome()).isEqualTo(new FalOutcome.Unavailable<>(0, "interrupted", null, false));
        assertThat(call.stillInterrupted()).isTrue();
        assertThat(call.returnedWithin()).isLessThan(Duration.ofSeconds(1));
        release.countDown();
        assertThat(gateReturned.await(2, TimeUnit.SECONDS)).isTrue();
        sleep(300);
        assertThat(server.received()).as("the gate opened after the call had ended").isEmpty();
        assertThat(asked).hasValue(1);
    }

    @Test
    void interruptedBeforeTheCallSendsNothing() throws Exception {
        RawServer server = rawServer();
        WebClientFalQueue queue = queue(server.url());
        AtomicInteger asked = new AtomicInteger();

        Interrupted<FalSubmission> call = Interrupted.start(() -> {
            Thread.currentThread().interrupt();
            return queue.submit(endpoint(server.port()), INPUT, FalQueuePriority.NORMAL, null, () -> asked.incrementAndGet() > 0);
        });

        assertThat(call.outcome()).isEqualTo(new FalOutcome.Unavailable<>(0, "interrupted", null, false));
        assertThat(call.stillInterrupted()).isTrue();
        sleep(300);
        assertThat(server.received()).isEmpty();
        assertThat(asked).hasValue(0);
    }

    @Test
    void interruptWhileAStatusStreamsInEndsTheCallAtOnce() throws Exception {
        MockWebServer server = mockServer();
        String body = "{\"status\":\"IN_PROGRESS\",\"logs\":[" + "{\"message\":\"Step\"},".repeat(2000) + "{}]}";
        server.enqueue(new MockResponse.Builder().body(body).throttleBody(256, 100, TimeUnit.MILLISECONDS).build());
        WebClientFalQueue queue = queue(server.url("/").uri());

        Interrupted<FalStatus> call = Interrupted.start(() -> queue.status(endpoint(server.getPort()), FalRequestRef.of(REQUEST_ID), 0));
        assertThat(server.takeRequest(2, TimeUnit.SECONDS)).isNotNull();
        sleep(300);
        call.interrupt();

        assertThat(call.outcome()).isEqualTo(new FalOutcome.Unavailable<>(0, "interrupted", null, true));
        assertThat(call.stillInterrupted()).isTrue();
        assertThat(call.returnedWithin()).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void statusTricklingInLongerThanTheWholeCallMayTakeTimesOut() throws Exception {
        MockWebServer server = mockServer();
        // Each gap is well under the read timeout; the whole body takes about 5 s.
        String body = "{\"status\":\"IN_PROGRESS\",\"logs\":[" + "{\"message\":\"Step\"},".repeat(200) + "{}]}";
        server.enqueue(new MockResponse.Builder().body(body).throttleBody(200, 250, TimeUnit.MILLISECONDS).build());
        WebClientFalQueue queue = queue(server.url("/").uri());

        long started = System.nanoTime();
        FalOutcome<FalStatus> outcome = queue.status(endpoint(server.getPort()), FalRequestRef.of(REQUEST_ID), 0);

        assertThat(outcome).isEqualTo(new FalOutcome.Unavailable<>(0, "timeout after 2500ms", null, true));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(3500));
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    private static <T> T success(FalOutcome<T> outcome) {
        assertThat(outcome).isInstanceOf(FalOutcome.Success.class);
        return ((FalOutcome.Success<T>) outcome).value();
    }

    private static FalOutcome.Unavailable<?> unavailable(FalOutcome<?> outcome) {
        assertThat(outcome).isInstanceOf(FalOutcome.Unavailable.class);
        return (FalOutcome.Unavailable<?>) outcome;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /** A call on a thread of its own that the test interrupts, and what it returned. */
    private static final class Interrupted<T> {

        private final Thread thread;
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile FalOutcome<T> outcome;
        private volatile boolean stillInterrupted;
        private volatile long interruptedAt;
        private volatile long returnedAt;

        private Interrupted(Supplier<FalOutcome<T>> call) {
            this.thread = Thread.ofVirtual().unstarted(() -> {
                outcome = call.get();
                returnedAt = System.nanoTime();
                stillInterrupted = Thread.currentThread().isInterrupted();
                done.countDown();
            });
        }

        static <T> Interrupted<T> start(Supplier<FalOutcome<T>> call) {
            Interrupted<T> interrupted = new Interrupted<>(call);
            interrupted.thread.start();
            return interrupted;
        }

        void interrupt() {
            interruptedAt = System.nanoTime();
            thread.interrupt();
        }

        FalOutcome<T> outcome() throws InterruptedException {
            assertThat(done.await(5, TimeUnit.SECONDS)).as("the call returned").isTrue();
            return outcome;
        }

        boolean stillInterrupted() {
            return stillInterrupted;
        }

        Duration returnedWithin() {
            return Duration.ofNanos(returnedAt - interruptedAt);
        }
    }

    /**
     * An HTTP server on a raw socket: it records every byte it receives, on any number of connections, and answers
     * each complete request with {@code 200} and a fixed JSON body (or drops the connection, see
     * {@link #closeOnRequest()}).
     */
    private static final class RawServer implements AutoCloseable {

        private final ServerSocket socket;
        private final String answer;
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        private final List<Socket> clients = new CopyOnWriteArrayList<>();
        private volatile boolean closeOnRequest;

        RawServer(String answer) throws IOException {
            this.answer = answer;
            this.socket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
            Thread.ofVirtual().start(this::accept);
        }

        RawServer closeOnRequest() {
            closeOnRequest = true;
            return this;
        }

        int port() {
            return socket.getLocalPort();
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + port());
        }

        int connections() {
            return clients.size();
        }

        String received() {
            synchronized (received) {
                return received.toString(StandardCharsets.UTF_8);
            }
        }

        private void accept() {
            while (!socket.isClosed()) {
                try {
                    Socket client = socket.accept();
                    clients.add(client);
                    Thread.ofVirtual().start(() -> serve(client));
                }
                catch (IOException ex) {
                    return;
                }
            }
        }

        private void serve(Socket client) {
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try (client; InputStream in = client.getInputStream()) {
                int read;
                while ((read = in.read(buffer)) != -1) {
                    synchronized (received) {
                        received.write(buffer, 0, read);
                    }
                    request.write(buffer, 0, read);
                    if (complete(request.toString(StandardCharsets.ISO_8859_1))) {
                        request.reset();
                        if (closeOnRequest) {
                            return;
                        }
                        byte[] body = answer.getBytes(StandardCharsets.UTF_8);
                        client.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                                + body.length + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                        client.getOutputStream().write(body);
                        client.getOutputStream().flush();
                    }
                }
            }
            catch (IOException ex) {
                // The client went away.
            }
        }

        private static boolean complete(String request) {
            int end = request.indexOf("\r\n\r\n");
            if (end < 0) {
                return false;
            }
            int length = 0;
            for (String line : request.substring(0, end).split("\r\n")) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring("content-length:".length()).trim());
                }
            }
            return request.length() - end - 4 >= length;
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket client : clients) {
                client.close();
            }
        }
    }
}
