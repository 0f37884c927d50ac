package com.ltxgateway.support;

import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import com.ltxgateway.ClaimLoop;
import com.ltxgateway.fal.FakeFalServer;
import com.ltxgateway.fal.FakeFalWebhooks;

import tools.jackson.databind.JsonNode;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole gateway on a clock the test moves, with no loop running by itself: the tracker is off (an API-only
 * instance) and the other loops are stopped, so a test runs them round by round and moves the clock past every
 * backoff, retry and poll interval instead of waiting for it. The simulator follows the same clock, so a sandbox run
 * takes no real time; {@link FakeFalServer} keeps real time and finishes at once unless a test says otherwise. All
 * such tests share one application context, on a database of their own.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "gateway.tracker.enabled=false")
@Import(SteppedGatewayTestSupport.Clocks.class)
public abstract class SteppedGatewayTestSupport {

    public static final String ADMIN_KEY = GatewayTestSupport.ADMIN_KEY;
    public static final String FAL_KEY = "fal-stepped-key-0123456789";
    public static final Duration SANDBOX_QUEUE = Duration.ofSeconds(10);
    public static final Duration SANDBOX_RUN = Duration.ofSeconds(30);
    protected static final FakeFalServer FAL = FakeFalServer.start(FAL_KEY);
    protected static final FakeFalWebhooks FAL_WEBHOOKS = FakeFalWebhooks.start();
    /** Far more clock time than any test here needs: a test that gets no further fails instead of spinning. */
    private static final Duration LONGEST_WAIT = Duration.ofHours(1);
    private static final Duration STEP = Duration.ofSeconds(1);

    @TestConfiguration(proxyBeanMethods = false)
    static class Clocks {

        @Bean
        @Primary
        MutableClock mutableClock() {
            return MutableClock.atPresent();
        }
    }

    @DynamicPropertySource
    static void steppedProperties(DynamicPropertyRegistry registry) {
        TestPostgres.useDatabase(registry, Database::jdbcUrl);
        registry.add("gateway.bootstrap.admin-key", () -> ADMIN_KEY);
        GatewayTestSupport.unthrottled(registry);
        GatewayTestSupport.useFakeFal(registry, FAL_KEY, FAL, FAL_WEBHOOKS);
        registry.add("gateway.sandbox.queue-duration", SANDBOX_QUEUE::toString);
        registry.add("gateway.sandbox.run-duration", SANDBOX_RUN::toString);
        // A backoff far below the Retry-After the tests send, so a wait that honours it is fal's.
        registry.add("gateway.tracker.retry-initial-interval", () -> "200ms");
        registry.add("gateway.tracker.retry-max-interval", () -> "1s");
        // Test receivers listen on loopback, which the outbound URL policy refuses unless allowed.
        registry.add("gateway.webhooks.allowed-hosts", () -> "127.0.0.1");
        registry.add("gateway.webhooks.encryption-key", () -> GatewayTestSupport.WEBHOOK_ENCRYPTION_KEY);
        registry.add("gateway.webhooks.retry-schedule", () -> "200ms,500ms,1s");
        registry.add("gateway.artifacts.retention", () -> "30d");
    }

    /** Created on first use and then kept, so every subclass resolves the same URL and the context is reused. */
    private static final class Database {

        private static final String URL = TestPostgres.newDatabase("gateway_stepped");

        static String jdbcUrl() {
            return URL;
        }
    }

    @Autowired
    protected MutableClock clock;

    @Autowired
    protected JdbcClient jdbc;

    @Autowired
    private ApplicationContext context;

    @LocalServerPort
    protected int port;

    protected Api api;
    protected ClaimLoop<?> tracker;
    protected ClaimLoop<?> simulatorWebhooks;
    protected ClaimLoop<?> orphanCancels;
    protected ClaimLoop<?> webhookDispatcher;
    protected ClaimLoop<?> outputCopier;
    protected ClaimLoop<?> receivedFalWebhooks;
    private List<ClaimLoop<?>> loops;

    @BeforeEach
    void connectAndStopTheLoops() {
        api = new Api("http://localhost:" + port);
        tracker = loop("tracker");
        simulatorWebhooks = loop("sandboxWebhooks");
        orphanCancels = loop("orphanCancels");
        webhookDispatcher = loop("webhookDispatcher");
        outputCopier = loop("outputCopier");
        receivedFalWebhooks = loop("receivedFalWebhooks");
        loops = List.of(tracker, simulatorWebhooks, receivedFalWebhooks, orphanCancels, webhookDispatcher, outputCopier);
        loops.stream().filter(ClaimLoop::isRunning).forEach(ClaimLoop::stop);
        // What an earlier test left is not this one's to step.
        jdbc.sql("delete from tracking_job").update();
        jdbc.sql("delete from fal_webhook_inbox").update();
        jdbc.sql("update output_copy set due_at = null where due_at is not null").update();
        // Near real time, which signature checks outside the gateway (a receiver's, the Standard Webhooks library's) hold to.
        clock.set(MutableClock.atPresent().instant());
        FAL.runsAsDefault().runDuration(Duration.ZERO);
    }

    private ClaimLoop<?> loop(String name) {
        return context.getBean(name, ClaimLoop.class);
    }

    /** Every loop, round after round, until none finds anything due at the clock's present. */
    protected void runDueWork() {
        for (int round = 0; round < 100; round++) {
            int handled = loops.stream().mapToInt(ClaimLoop::runOnce).sum();
            if (handled == 0) {
                return;
            }
        }
        throw new AssertionError("work is still due after 100 rounds at " + clock.instant());
    }

    /** Runs the due work and moves the clock on a second at a time until {@code done}. */
    protected void stepUntil(BooleanSupplier done) {
        for (Duration waited = Duration.ZERO; waited.compareTo(LONGEST_WAIT) < 0; waited = waited.plus(STEP)) {
            runDueWork();
            if (done.getAsBoolean()) {
                return;
            }
            clock.advance(STEP);
        }
        throw new AssertionError("not done after " + LONGEST_WAIT + " on the clock");
    }

    /** Steps until the training meets {@code condition}; returns it as the API shows it then. */
    protected JsonNode stepUntilTraining(String key, String id, Predicate<JsonNode> condition) {
        JsonNode[] last = new JsonNode[1];
        stepUntil(() -> condition.test(last[0] = training(key, id)));
        return last[0];
    }

    protected JsonNode stepUntilStatus(String key, String id, String status) {
        return stepUntilTraining(key, id, t -> status.equals(t.path("status").asString()));
    }

    protected JsonNode training(String key, String id) {
        return api.get("/v1/trainings/" + id, key).json();
    }

    protected String newTeamKey(String mode) {
        return api.newTeam(ADMIN_KEY, mode).key();
    }

    protected static String minimalRequest(String dataUrl) {
        return GatewayTestSupport.minimalRequest(dataUrl);
    }

    protected JsonNode create(String key, String body) {
        return api.createTraining(key, body);
    }
}
