package com.ltxgateway.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;

import com.ltxgateway.support.MutableClock;
import com.ltxgateway.support.TestPostgres;
import com.ltxgateway.webhook.WebhookDeliveries.ClaimedDelivery;
import com.ltxgateway.webhook.WebhookDeliveries.Status;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** The outbox's claim rules on a real PostgreSQL: what lets every instance dispatch without an attempt made twice. */
class WebhookDeliveriesTests {

    private static final MutableClock clock = MutableClock.atPresent();
    private static JdbcClient jdbc;
    private static WebhookDeliveries deliveries;
    private static UUID team;
    private static String training;

    @BeforeAll
    static void database() {
        TestPostgres.Server server = TestPostgres.server();
        var dataSource = new DriverManagerDataSource(TestPostgres.newDatabase("outbox"), server.username(), server.password());
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        jdbc = JdbcClient.create(dataSource);
        deliveries = new WebhookDeliveries(jdbc, clock);
        team = UUID.randomUUID();
        training = "trn_outbox";
        jdbc.sql("insert into team (id, slug, name, created_at) values (?, 'outbox', 'Outbox', now())").param(team).update();
        jdbc.sql("""
                insert into training (id, team_id, mode, status, input, number_of_steps, estimated_cost_usd, created_at)
                values (?, ?, 'sandbox', 'queued', '{}', 100, 0.24, now())""").params(training, team).update();
    }

    @BeforeEach
    void empty() {
        jdbc.sql("delete from webhook_attempt").update();
        jdbc.sql("delete from webhook_delivery").update();
        jdbc.sql("delete from webhook_endpoint").update();
    }

    @Test
    void concurrentDispatchersNeverShareADelivery() throws Exception {
        for (int i = 0; i < 200; i++) {
            add(null);
        }
        int dispatchers = 4;
        var barrier = new CyclicBarrier(dispatchers);
        List<Callable<List<String>>> tasks = new ArrayList<>();
        for (int d = 0; d < dispatchers; d++) {
            String owner = "instance-" + d;
            tasks.add(() -> {
                barrier.await();
                List<String> mine = new ArrayList<>();
                List<ClaimedDelivery> batch;
                while (!(batch = deliveries.claim(owner, 7, Duration.ofMinutes(1))).isEmpty()) {
                    batch.forEach(delivery -> mine.add(delivery.id()));
                }
                return mine;
            });
        }
        List<String> claimed = new ArrayList<>();
        try (var executor = Executors.newFixedThreadPool(dispatchers)) {
            for (var result : executor.invokeAll(tasks)) {
                claimed.addAll(result.get());
            }
        }

        assertThat(claimed).hasSize(200).doesNotHaveDuplicates();
    }

    @Test
    void aClaimThatRanOutIsTakenOverWithTheNextAttemptNumberAndTheOldOneChangesNothing() {
        add(null);
        ClaimedDelivery slow = deliveries.claim("slow", 10, Duration.ofMillis(1)).getFirst();
        clock.advance(Duration.ofMillis(2));
        ClaimedDelivery takenOver = deliveries.claim("survivor", 10, Duration.ofMinutes(1)).getFirst();

        assertThat(slow.attempt()).isOne();
        assertThat(takenOver.id()).isEqualTo(slow.id());
        assertThat(takenOver.attempt()).isEqualTo(2);
        assertThat(deliveries.finish(slow, "slow", Status.DELIVERED, 0, Duration.ZERO, null)).isFalse();
        // The same instance, claiming again after its own lease ran out, is fenced by the attempt number.
        assertThat(deliveries.finish(new ClaimedDelivery(slow.id(), slow.eventId(), slow.eventType(), slow.trainingId(),
                slow.teamId(), slow.endpointId(), slow.url(), slow.payload(), 1, 0), "survivor", Status.DELIVERED, 0,
                Duration.ZERO, null)).isFalse();
        assertThat(status(slow.id())).isEqualTo("pending");

        assertThat(deliveries.finish(takenOver, "survivor", Status.DELIVERED, 0, Duration.ZERO, null)).isTrue();
        assertThat(status(slow.id())).isEqualTo("delivered");
        assertThat(deliveries.claim("any", 10, Duration.ofMinutes(1))).isEmpty();
    }

    @Test
    void aRetryIsDueAfterItsWaitAndCarriesTheFailureCount() {
        add(null);
        ClaimedDelivery first = deliveries.claim("a", 10, Duration.ofMinutes(1)).getFirst();
        deliveries.finish(first, "a", Status.PENDING, 1, Duration.ofHours(1), "HTTP 500 in 3 ms");
        assertThat(deliveries.claim("a", 10, Duration.ofMinutes(1))).isEmpty();

        clock.advance(Duration.ofHours(1));
        ClaimedDelivery second = deliveries.claim("b", 10, Duration.ofMinutes(1)).getFirst();

        assertThat(second.attempt()).isEqualTo(2);
        assertThat(second.failures()).isOne();
        assertThat(second.eventId()).isEqualTo(first.eventId());
    }

    @Test
    void redeliveryWaitsForAnAttemptUnderWayAndRestartsTheSchedule() {
        add(null);
        ClaimedDelivery claimed = deliveries.claim("a", 10, Duration.ofMinutes(1)).getFirst();

        assertThat(deliveries.redeliver(claimed.id())).isFalse();
        deliveries.finish(claimed, "a", Status.FAILED, 4, Duration.ZERO, "no attempts left");
        assertThat(deliveries.redeliver(claimed.id())).isTrue();

        ClaimedDelivery again = deliveries.claim("b", 10, Duration.ofMinutes(1)).getFirst();
        assertThat(again.attempt()).isEqualTo(2);
        assertThat(again.failures()).isZero();
    }

    @Test
    void endingAnEndpointsDeliveriesLeavesTheOneUnderWayToItsAttempt() {
        UUID endpoint = new WebhookEndpoints(jdbc).add(team, "https://hooks.example/x", List.of("training.queued"), clock.instant()).id();
        add(endpoint);
        ClaimedDelivery underWay = deliveries.claim("a", 10, Duration.ofMinutes(1)).getFirst();
        add(endpoint);
        add(null);

        deliveries.failPendingTo(endpoint, "the endpoint was deleted");

        assertThat(jdbc.sql("select status from webhook_delivery order by id").query(String.class).list())
                .containsExactly("pending", "failed", "pending");
        assertThat(status(underWay.id())).isEqualTo("pending");
    }

    private static void add(UUID endpoint) {
        deliveries.add("msg_" + UUID.randomUUID(), WebhookEventType.QUEUED, training, team, endpoint, "https://hooks.example/x", "{}");
    }

    private static String status(String id) {
        return jdbc.sql("select status from webhook_delivery where id = ?").param(id).query(String.class).single();
    }
}
