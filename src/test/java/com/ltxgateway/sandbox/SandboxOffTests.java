package com.ltxgateway.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import com.ltxgateway.support.Api;
import com.ltxgateway.support.TestPostgres;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** With the sandbox switched off there is no simulator to reach, sandbox trainings end, and old simulator rows go. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "gateway.sandbox.enabled=false", "gateway.tracker.idle-interval=100ms" })
class SandboxOffTests {

    private static final String ADMIN_KEY = "ltx_admin_sandbox_off_0123456789abcdefghijklmnopqrstuv";

    @LocalServerPort
    private int port;

    @Autowired
    private JdbcClient jdbc;

    @Autowired
    private SandboxRetention retention;

    private Api api;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        String url = TestPostgres.newDatabase("sandbox_off");
        TestPostgres.useDatabase(registry, () -> url);
        registry.add("gateway.bootstrap.admin-key", () -> ADMIN_KEY);
    }

    @BeforeEach
    void connect() {
        api = new Api("http://localhost:" + port);
    }

    @Test
    void noSimulatorEndpointAnswers() {
        assertThat(api.get("/sandbox/.well-known/jwks.json", null).status()).isEqualTo(404);
        assertThat(api.post("/sandbox/queue/fal-ai/ltx23-trainer-v2/interpolate", null, "{}", java.util.Map.of("Authorization", "Key sandbox"))
                .status()).isEqualTo(404);
        assertThat(api.get("/sandbox/queue/fal-ai/ltx23-trainer-v2/requests/" + UUID.randomUUID() + "/status", null).status()).isEqualTo(404);
        assertThat(api.get("/sandbox/files/" + UUID.randomUUID() + "/config.json", null).status()).isEqualTo(404);
        String key = api.newTeam(ADMIN_KEY, "sandbox").key();
        var refused = api.post("/v1/trainings", key, "{\"input\":{\"training_data_url\":\"https://example.com/d.zip\"}}");
        assertThat(refused.status()).isEqualTo(503);
    }

    @Test
    void aSandboxTrainingStillInFlightEndsCanceledAtNoCost() {
        UUID team = UUID.randomUUID();
        jdbc.sql("insert into team (id, slug, name, created_at) values (?, ?, 'Off', now())").params(team, "off-" + team.toString().substring(0, 8)).update();
        String id = "trn_off" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        jdbc.sql("""
                insert into training (id, team_id, mode, status, input, number_of_steps, estimated_cost_usd, created_at,
                                      fal_request_id, submitted_at)
                values (?, ?, 'sandbox', 'queued', '{}', 100, 0.24, now(), ?, now())""").params(id, team, UUID.randomUUID().toString()).update();
        jdbc.sql("insert into tracking_job (training_id, due_at) values (?, now())").param(id).update();

        Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> "canceled".equals(jdbc.sql("select status from training where id = ?").param(id).query(String.class).single()));
        assertThat(jdbc.sql("select cost_usd from training where id = ?").param(id).query(java.math.BigDecimal.class).single()).isZero();
    }

    @Test
    void simulatedRequestsAreForgottenAfterTheirRetention() {
        Instant now = Instant.now();
        UUID old = simulated(now.minus(Duration.ofDays(8)), null);
        UUID recent = simulated(now.minus(Duration.ofDays(1)), null);
        UUID oldButUndelivered = simulated(now.minus(Duration.ofDays(8)), now);

        retention.purge();

        assertThat(exists(old)).isFalse();
        assertThat(exists(recent)).isTrue();
        assertThat(exists(oldButUndelivered)).as("its webhook is still to be delivered").isTrue();
    }

    private UUID simulated(Instant completed, Instant webhookDue) {
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                insert into sandbox_request (request_id, input, fail, created_at, started_at, completed_at, webhook_due_at)
                values (?, '{}', false, ?, ?, ?, ?)""")
                .params(id, Timestamp.from(completed), Timestamp.from(completed), Timestamp.from(completed),
                        webhookDue == null ? null : Timestamp.from(webhookDue))
                .update();
        return id;
    }

    private boolean exists(UUID id) {
        return jdbc.sql("select count(*) from sandbox_request where request_id = ?").param(id).query(Long.class).single() > 0;
    }
}
