package com.ltxgateway.support;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import com.ltxgateway.GatewayApplication;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Whole gateway instances on one test database, as replicas share one in production: for cluster tests. */
public final class GatewayInstances {

    private GatewayInstances() {
    }

    /**
     * Starts an instance on a random port with {@code jdbcUrl} as its database and {@code settings} on top. Command-line
     * arguments, because default properties would lose to application.yaml (server.port, fal key).
     */
    public static ConfigurableApplicationContext start(String jdbcUrl, Consumer<ConfigurableApplicationContext> initializer,
            String... settings) {
        var postgres = TestPostgres.server();
        List<String> arguments = new ArrayList<>(List.of("--server.port=0",
                "--spring.datasource.url=" + jdbcUrl,
                "--spring.datasource.username=" + postgres.username(),
                "--spring.datasource.password=" + postgres.password(),
                "--spring.main.banner-mode=off",
                "--gateway.artifacts.dir=" + GatewayTestSupport.ARTIFACTS_DIR,
                "--gateway.artifacts.source-hosts=127.0.0.1"));
        arguments.addAll(List.of(settings));
        return new SpringApplicationBuilder(GatewayApplication.class)
                .initializers(initializer::accept)
                .run(arguments.toArray(String[]::new));
    }

    public static ConfigurableApplicationContext start(String jdbcUrl, String... settings) {
        return start(jdbcUrl, context -> {
        }, settings);
    }

    /** Two instances on a fresh database of their own, both with {@code settings}: closed together. */
    public static Pair pair(String database, String... settings) {
        String jdbcUrl = TestPostgres.newDatabase(database);
        return new Pair(start(jdbcUrl, settings), start(jdbcUrl, settings));
    }

    /** Two replicas on one database, as the chart runs them with no session affinity. */
    public record Pair(ConfigurableApplicationContext firstInstance, ConfigurableApplicationContext secondInstance)
            implements AutoCloseable {

        public Api first() {
            return api(firstInstance);
        }

        public Api second() {
            return api(secondInstance);
        }

        @Override
        public void close() {
            firstInstance.close();
            secondInstance.close();
        }
    }

    public static Api api(ConfigurableApplicationContext instance) {
        return new Api("http://localhost:" + instance.getEnvironment().getProperty("local.server.port"));
    }
}
