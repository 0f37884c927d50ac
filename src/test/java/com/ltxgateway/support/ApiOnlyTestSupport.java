package com.ltxgateway.support;



import tools.jackson.databind.JsonNode;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The gateway as an API-only instance: no tracker, so trainings stay {@code pending} for as long as a test needs.
 * It has a database of its own, because the tracker of {@link GatewayTestSupport}'s context, which stays cached
 * and running, would otherwise pick these trainings up from the shared one. All such tests share one context.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "gateway.tracker.enabled=false")
public abstract class ApiOnlyTestSupport {

    public static final String ADMIN_KEY = GatewayTestSupport.ADMIN_KEY;

    @LocalServerPort
    protected int port;

    protected Api api;

    @DynamicPropertySource
    static void apiOnlyProperties(DynamicPropertyRegistry registry) {
        TestPostgres.useDatabase(registry, Database::jdbcUrl);
        registry.add("gateway.bootstrap.admin-key", () -> ADMIN_KEY);
        GatewayTestSupport.unthrottled(registry);
        // Live trainings are accepted, and stay pending: no tracker submits them.
        registry.add("gateway.fal.key", () -> GatewayTestSupport.FAL_KEY);
        GatewayTestSupport.useArtifactStore(registry);
    }

    /** Created on first use and then kept, so every subclass resolves the same URL and the context is reused. */
    private static final class Database {

        private static final String URL = TestPostgres.newDatabase("gateway_api_only");

        static String jdbcUrl() {
            return URL;
        }
    }

    @BeforeEach
    void connect() {
        api = new Api("http://localhost:" + port);
    }

    /** A new team with one key of the given mode; returns the team's slug and the key. */
    protected Api.TeamKey newTeam(String mode) {
        return api.newTeam(ADMIN_KEY, mode);
    }

    protected JsonNode create(String key, String body) {
        return api.createTraining(key, body);
    }

    protected static String requestWithMetadata(String metadataJson) {
        return "{\"input\":{\"training_data_url\":\"https://example.com/clips.zip\",\"number_of_steps\":100},"
                + "\"metadata\":" + metadataJson + "}";
    }
}
