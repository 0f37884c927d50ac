package com.ltxgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;

import com.ltxgateway.support.TestPostgres;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/** The migrations build the whole schema on an empty database, and a second run finds nothing to do. */
class MigrationTests {

    @Test
    void migrateAnEmptyDatabase() throws Exception {
        String url = TestPostgres.newDatabase("migrations");
        TestPostgres.Server server = TestPostgres.server();
        Flyway flyway = Flyway.configure().dataSource(url, server.username(), server.password())
                .locations("classpath:db/migration").load();

        var first = flyway.migrate();
        var second = flyway.migrate();

        assertThat(first.success).isTrue();
        assertThat(first.migrationsExecuted).isPositive();
        assertThat(second.migrationsExecuted).isZero();
        flyway.validate();
        List<String> tables = new ArrayList<>();
        try (var connection = DriverManager.getConnection(url, server.username(), server.password());
                var rows = connection.createStatement().executeQuery(
                        "select table_name from information_schema.tables where table_schema = 'public' order by 1")) {
            while (rows.next()) {
                tables.add(rows.getString(1));
            }
        }
        assertThat(tables).contains("team", "api_key", "training", "training_event", "idempotency_record",
                "tracking_job", "sandbox_request", "audit_log");
    }
}
