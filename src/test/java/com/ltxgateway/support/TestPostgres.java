package com.ltxgateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * One real PostgreSQL server for the whole test run: a Testcontainers container where a Docker engine runs,
 * otherwise an embedded PostgreSQL started from Maven Central binaries. Tests that need a pristine schema get a
 * database of their own with {@link #newDatabase}.
 */
public final class TestPostgres {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static Server server;
    private static String sharedJdbcUrl;

    private TestPostgres() {
    }

    public record Server(String host, int port, String username, String password) {

        public String jdbcUrl(String database) {
            return "jdbc:postgresql://" + host + ":" + port + "/" + database;
        }
    }

    /** Points a test context's data source at {@code jdbcUrl} on this server. */
    public static void useDatabase(DynamicPropertyRegistry registry, Supplier<Object> jdbcUrl) {
        registry.add("spring.datasource.url", jdbcUrl);
        registry.add("spring.datasource.username", () -> server().username());
        registry.add("spring.datasource.password", () -> server().password());
    }

    public static synchronized Server server() {
        if (server == null) {
            server = dockerAvailable() ? startContainer() : startEmbedded();
        }
        return server;
    }

    /**
     * The database most tests share, created once per test run: every application context that asks for it gets
     * the same one, so a new context never drops the data of the cached contexts still working on it.
     */
    public static synchronized String sharedJdbcUrl() {
        if (sharedJdbcUrl == null) {
            sharedJdbcUrl = server().jdbcUrl(database("gateway_tests"));
        }
        return sharedJdbcUrl;
    }

    /** A fresh, empty database: for migration tests and for clusters of instances that must not see other tests. */
    public static String newDatabase(String prefix) {
        return server().jdbcUrl(database(prefix + "_" + DATABASES.incrementAndGet() + "_" + ProcessHandle.current().pid()));
    }

    private static synchronized String database(String name) {
        Server s = server();
        try (Connection connection = DriverManager.getConnection(s.jdbcUrl("postgres"), s.username(), s.password());
                Statement statement = connection.createStatement()) {
            var exists = statement.executeQuery("select 1 from pg_database where datname = '" + name + "'");
            if (exists.next()) {
                statement.execute("drop database " + name + " with (force)");
            }
            statement.execute("create database " + name);
            return name;
        }
        catch (SQLException e) {
            throw new IllegalStateException("Could not create test database " + name, e);
        }
    }

    private static boolean dockerAvailable() {
        // Asking Testcontainers on a machine without any Docker engine logs a page of errors; skip the question.
        if (System.getenv("DOCKER_HOST") == null && !java.nio.file.Files.exists(java.nio.file.Path.of("/var/run/docker.sock"))) {
            return false;
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        }
        catch (RuntimeException e) {
            return false;
        }
    }

    @SuppressWarnings("resource") // lives as long as the JVM; Testcontainers' reaper removes it
    private static Server startContainer() {
        var container = new PostgreSQLContainer("postgres:17-alpine");
        container.start();
        return new Server(container.getHost(), container.getMappedPort(5432), container.getUsername(), container.getPassword());
    }

    private static Server startEmbedded() {
        try {
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("fsync", "off")
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    postgres.close();
                }
                catch (IOException ignored) {
                    // the JVM is going away; the data directory is temporary
                }
            }));
            return new Server("localhost", postgres.getPort(), "postgres", "postgres");
        }
        catch (IOException e) {
            throw new UncheckedIOException("Could not start an embedded PostgreSQL", e);
        }
    }
}
