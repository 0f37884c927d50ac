package com.ltxgateway.support;


import java.time.Duration;
import java.util.function.Predicate;

import com.ltxgateway.fal.FakeFalServer;
import com.ltxgateway.fal.FakeFalWebhooks;

import tools.jackson.databind.JsonNode;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Full-stack tests: the whole gateway on a random port, a real PostgreSQL, the sandbox simulator for sandbox keys
 * and {@link FakeFalServer} standing in for fal for live keys, so the real WebClient adapter runs. All such tests
 * share one application context; each works in teams of its own. Its {@code MockMvc} (Spring Security applied)
 * serves tests that look at pages and headers where a browser would add nothing.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureMockMvc
public abstract class GatewayTestSupport {

    public static final String ADMIN_KEY = "ltx_admin_test_0123456789abcdefghijklmnopqrstuvwxyz";
    public static final String FAL_KEY = "fal-test-key-0123456789";
    public static final String DASHBOARD_USERNAME = "admin";
    public static final String DASHBOARD_PASSWORD = "dashboard-test-password";
    public static final String WEBHOOK_ENCRYPTION_KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    protected static final FakeFalServer FAL = FakeFalServer.start(FAL_KEY);
    /** fal's webhook keys: tests sign the webhooks FakeFalServer does not send with them. */
    protected static final FakeFalWebhooks FAL_WEBHOOKS = FakeFalWebhooks.start();

    @LocalServerPort
    protected int port;

    protected Api api;

    @DynamicPropertySource
    static void gatewayProperties(DynamicPropertyRegistry registry) {
        TestPostgres.useDatabase(registry, TestPostgres::sharedJdbcUrl);
        registry.add("gateway.bootstrap.admin-key", () -> ADMIN_KEY);
        registry.add("gateway.bootstrap.admin-password", () -> DASHBOARD_PASSWORD);
        unthrottled(registry);
        useFakeFal(registry, FAL_KEY, FAL, FAL_WEBHOOKS);
        registry.add("gateway.datasets.max-size", () -> DATASETS_MAX_SIZE + "B");
        registry.add("gateway.sandbox.queue-duration", () -> "1s");
        registry.add("gateway.sandbox.run-duration", () -> "2s");
        registry.add("gateway.tracker.idle-interval", () -> "100ms");
        registry.add("gateway.tracker.poll-min-interval", () -> "200ms");
        registry.add("gateway.tracker.poll-max-interval", () -> "1s");
        registry.add("gateway.tracker.retry-initial-interval", () -> "200ms");
        registry.add("gateway.tracker.retry-max-interval", () -> "1s");
        registry.add("gateway.tracker.lease", () -> "10s");
        // Test receivers listen on loopback, which the outbound URL policy refuses unless allowed.
        registry.add("gateway.webhooks.allowed-hosts", () -> "127.0.0.1");
        registry.add("gateway.webhooks.encryption-key", () -> WEBHOOK_ENCRYPTION_KEY);
        registry.add("gateway.webhooks.retry-schedule", () -> "200ms,500ms,1s");
        registry.add("gateway.webhooks.idle-interval", () -> "100ms");
    }

    /** fal stood in for by {@code fal} and {@code webhooks}, with timeouts a test can outwait. */
    /**
     * Every test calls from 127.0.0.1, and many try bad keys and passwords on purpose: one shared context would soon
     * throttle them all. The throttles are tested on instances of their own (ThrottleClusterTests).
     */
    public static void unthrottled(DynamicPropertyRegistry registry) {
        registry.add("gateway.throttle.sign-in.per-user", () -> "0");
        registry.add("gateway.throttle.sign-in.per-address", () -> "0");
        registry.add("gateway.throttle.unknown-api-keys.per-address", () -> "0");
    }

    public static void useFakeFal(DynamicPropertyRegistry registry, String falKey, FakeFalServer fal, FakeFalWebhooks webhooks) {
        registry.add("gateway.fal.key", () -> falKey);
        registry.add("gateway.fal.queue-url", () -> fal.queueUrl().toString());
        registry.add("gateway.fal.jwks-url", () -> webhooks.jwksUrl().toString());
        registry.add("gateway.fal.user-id", () -> FakeFalWebhooks.USER_ID);
        registry.add("gateway.fal.connect-timeout", () -> "1s");
        registry.add("gateway.fal.read-timeout", () -> "1s");
        // Small parts, so a test's zip of a few clips is uploaded in several.
        registry.add("gateway.fal.storage-url", () -> fal.queueUrl().toString());
        registry.add("gateway.fal.storage-multipart-threshold", () -> STORAGE_MULTIPART_THRESHOLD + "B");
        registry.add("gateway.fal.storage-part-size", () -> "16KB");
        useArtifactStore(registry);
    }

    /**
     * Outputs copied into a directory of the build's own, from the fake fal on loopback only (an output naming fal's
     * real CDN is refused, never fetched from a test), retried within a second.
     */
    public static void useArtifactStore(DynamicPropertyRegistry registry) {
        registry.add("gateway.artifacts.dir", () -> ARTIFACTS_DIR);
        registry.add("gateway.artifacts.source-hosts", () -> "127.0.0.1");
        registry.add("gateway.artifacts.retry-initial-interval", () -> "200ms");
        registry.add("gateway.artifacts.retry-max-interval", () -> "1s");
    }

    /** Zips larger than this go to fal's storage in parts of 16 KB. */
    public static final long STORAGE_MULTIPART_THRESHOLD = 48 * 1024;

    /** Small, so a test can send a dataset over it. */
    public static final long DATASETS_MAX_SIZE = 2 << 20;

    /** Where test instances keep copies: under target/, never in the working tree. */
    public static final String ARTIFACTS_DIR = "target/test-artifacts";

    @BeforeEach
    void connect() {
        api = new Api("http://localhost:" + port);
    }

    /** A new team with one key of the given mode ("live" or "sandbox"); returns the key. */
    protected String newTeamKey(String mode) {
        return api.newTeam(ADMIN_KEY, mode).key();
    }

    protected static String minimalRequest(String dataUrl) {
        return "{\"input\":{\"training_data_url\":\"" + dataUrl + "\",\"number_of_steps\":100}}";
    }

    protected JsonNode create(String key, String body) {
        return api.createTraining(key, body);
    }

    protected JsonNode awaitTraining(String key, String id, Predicate<JsonNode> condition) {
        JsonNode[] last = new JsonNode[1];
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            last[0] = api.get("/v1/trainings/" + id, key).json();
            return condition.test(last[0]);
        });
        return last[0];
    }

    protected JsonNode awaitStatus(String key, String id, String status) {
        return awaitTraining(key, id, t -> status.equals(t.path("status").asString()));
    }
}
