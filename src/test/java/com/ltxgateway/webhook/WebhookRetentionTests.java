package com.ltxgateway.webhook;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.ltxgateway.support.MutableClock;
import com.ltxgateway.support.TestPostgres;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/** The purge of old deliveries on a real PostgreSQL: what goes, what stays, and one instance at a time. */
class WebhookRetentionTests {

    private static final MutableClock clock = MutableClock.atPresent();
    private static JdbcClient jdbc;
    private static WebhookRetention retention;
    private static UUID team;

    @BeforeAll
    static void database() {
        TestPostgres.Server server = TestPostgres.server();
        var dataSource = new DriverManagerDataSource(TestPostgres.newDatabase("webhook_retention"), server.username(), server.password());
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        jdbc = JdbcClient.create(dataSource);
        WebhookProperties properties = new WebhookProperties(null, Duration.ofHours(24), List.of(Duration.ofSeconds(5)), Duration.ofSeconds(1),
                Duration.ofSeconds(1), org.springframework.util.unit.DataSize.ofKilobytes(64), Duration.ofMinutes(1), Duration.ofSeconds(1), 1,
                Duration.ofDays(30), List.of());
        retention = new WebhookRetention(jdbc, properties, new TransactionTemplate(new DataSourceTransactionManager(dataSource)), clock);
        team = UUID.randomUUID();
        jdbc.sql("insert into team (id, slug, name, created_at) values (?, 'retention', 'Retention', now())").param(team).update();
    }

    @Test
    void purgesFinishedDeliveriesOfFinishedTrainingsPastTheRetentionWithTheirAttempts() {
        Instant old = clock.instant().minus(Duration.ofDays(31));
        String finished = training("succeeded");
        String running = training("running");
        String oldDelivered = delivery(finished, "delivered", old);
        String oldFailed = delivery(finished, "failed", old);
        String recent = delivery(finished, "delivered", clock.instant().minus(Duration.ofDays(29)));
        String stillPending = delivery(finished, "pending", old);
        String ofRunning = delivery(running, "delivered", old);
        String budgetAlert = delivery(null, "delivered", old);

        assertThat(retention.purge()).isEqualTo(3);

        assertThat(jdbc.sql("select id from webhook_delivery").query(String.class).list())
                .contains(recent, stillPending, ofRunning).doesNotContain(oldDelivered, oldFailed, budgetAlert);
        assertThat(jdbc.sql("select count(*) from webhook_attempt where delivery_id in (?, ?, ?)").params(oldDelivered, oldFailed, budgetAlert)
                .query(Long.class).single()).isZero();
        assertThat(retention.purge()).as("nothing left to purge").isZero();
    }

    private static String training(String status) {
        String id = "trn_ret_" + UUID.randomUUID().toString().substring(0, 12);
        jdbc.sql("""
                insert into training (id, team_id, mode, status, input, number_of_steps, estimated_cost_usd, created_at)
                values (?, ?, 'sandbox', ?, '{}', 100, 0.24, now())""").params(id, team, status).update();
        return id;
    }

    private static String delivery(String trainingId, String status, Instant finishedAt) {
        String id = "dlv_ret_" + UUID.randomUUID().toString().substring(0, 12);
        jdbc.sql("""
                insert into webhook_delivery (id, event_id, event_type, training_id, team_id, url, payload, status, attempts, due_at,
                    created_at, finished_at)
                values (?, ?, 'training.succeeded', ?, ?, 'https://hooks.example/x', '{}', ?, 1, ?, ?, ?)""")
                .params(id, "evt_" + id, trainingId, team, status, Timestamp.from(finishedAt), Timestamp.from(finishedAt),
                        status.equals("pending") ? null : Timestamp.from(finishedAt))
                .update();
        jdbc.sql("insert into webhook_attempt (delivery_id, attempt, at, sent_by, http_status, latency_ms) values (?, 1, ?, 'test', 200, 5)")
                .params(id, Timestamp.from(finishedAt)).update();
        return id;
    }
}
