package com.ltxgateway;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

import com.ltxgateway.support.Api;
import com.ltxgateway.support.TestPostgres;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The gateway for a developer's machine, with nothing to set up: a real PostgreSQL (a Testcontainers container
 * where Docker runs, an embedded one otherwise), the sandbox on, and an admin key, a sandbox team key and a
 * dashboard login printed at start. Run it with {@code ./mvnw spring-boot:test-run}. Its data lives only as long as the process.
 */
public final class LocalGatewayApplication {

    private LocalGatewayApplication() {
    }

    public static void main(String[] args) {
        TestPostgres.Server postgres = TestPostgres.server();
        String adminKey = System.getenv().getOrDefault("GATEWAY_BOOTSTRAP_ADMIN_KEY",
                "ltx_admin_local_" + HexFormat.of().formatHex(new SecureRandom().generateSeed(16)));
        String dashboardUser = System.getenv().getOrDefault("GATEWAY_BOOTSTRAP_ADMIN_USERNAME", "admin");
        String dashboardPassword = System.getenv().getOrDefault("GATEWAY_BOOTSTRAP_ADMIN_PASSWORD",
                HexFormat.of().formatHex(new SecureRandom().generateSeed(12)));
        String databaseUrl = TestPostgres.newDatabase("gateway_local");
        ConfigurableApplicationContext context = new SpringApplicationBuilder(GatewayApplication.class)
                .properties(Map.of(
                        "spring.datasource.url", databaseUrl,
                        "spring.datasource.username", postgres.username(),
                        "spring.datasource.password", postgres.password(),
                        "gateway.bootstrap.admin-key", adminKey,
                        "gateway.bootstrap.admin-username", dashboardUser,
                        "gateway.bootstrap.admin-password", dashboardPassword,
                        "gateway.sandbox.enabled", "true",
                        // Signing secrets last only as long as this process's database, so a new key each run loses nothing.
                        "gateway.webhooks.encryption-key", Base64.getEncoder().encodeToString(new SecureRandom().generateSeed(32)),
                        // Webhook receivers under development run on this machine.
                        "gateway.webhooks.allowed-hosts", "localhost,127.0.0.1,::1"))
                .run(args);
        String baseUrl = "http://localhost:" + context.getEnvironment().getProperty("local.server.port");
        String teamKey = createDemoTeam(new Api(baseUrl), adminKey);
        System.out.printf("""

                ==============================================================================
                 LTX Trainer Gateway is running at %1$s
                 (fal sandbox on: trainings queue %4$s, run %5$s)
                 Database: %6$s (user %7$s)

                 Admin key:         %2$s
                 Sandbox team key:  %3$s   (team "demo")

                 Dashboard:         %1$s/admin
                   user %8$s, password %9$s

                 Try it:
                   export KEY=%3$s
                   curl -s -X POST %1$s/v1/trainings -H "Authorization: Bearer $KEY" \\
                     -H 'Content-Type: application/json' \\
                     -d '{"input":{"training_data_url":"https://example.com/clips.zip"}}'
                ==============================================================================

                """, baseUrl, adminKey, teamKey,
                context.getEnvironment().getProperty("gateway.sandbox.queue-duration", "10s"),
                context.getEnvironment().getProperty("gateway.sandbox.run-duration", "30s"), databaseUrl, postgres.username(),
                dashboardUser, dashboardPassword);
    }

    private static String createDemoTeam(Api api, String adminKey) {
        api.post("/v1/admin/teams", adminKey, "{\"slug\":\"demo\",\"name\":\"Demo team\"}");
        var key = api.post("/v1/admin/teams/demo/api-keys", adminKey, "{\"name\":\"local\",\"mode\":\"sandbox\"}");
        if (key.status() != 201) {
            throw new IllegalStateException("Could not create the demo team's key: " + key.text());
        }
        return key.json().get("key").asString();
    }
}
