package com.ltxgateway.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import com.ltxgateway.sandbox.SandboxRequests.DueWebhook;
import com.ltxgateway.support.MutableClock;
import com.ltxgateway.support.TestPostgres;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The simulator's requests on a real PostgreSQL, on a clock the test moves: when their webhooks fall due, how a claim
 * keeps other replicas off one, and how a failed one is retried or given up.
 */
class SandboxRequestsTests {

    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final MutableClock clock = MutableClock.atPresent();
    private static JdbcClient jdbc;
    private static SandboxRequests requests;

    @BeforeAll
    static void database() {
        TestPostgres.Server server = TestPostgres.server();
        var dataSource = new DriverManagerDataSource(TestPostgres.newDatabase("sandbox_requests"), server.username(), server.password());
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        jdbc = JdbcClient.create(dataSource);
        requests = new SandboxRequests(jdbc, clock);
    }

    @BeforeEach
    void empty() {
        jdbc.sql("delete from sandbox_request").update();
    }

    @Test
    void aWebhookIsDueWhenItsRequestCompletesAndOneClaimHoldsItForItsLease() {
        SimulatedRequest request = insert("https://gateway.example/fal/webhooks/trn_1/token");
        assertThat(requests.claimDueWebhooks(10, LEASE)).as("still running").isEmpty();

        clock.advance(Duration.ofSeconds(40));
        assertThat(requests.claimDueWebhooks(10, LEASE)).singleElement().satisfies(due -> {
            assertThat(due.request().id()).isEqualTo(request.id());
            assertThat(due.attempt()).isOne();
        });
        assertThat(requests.claimDueWebhooks(10, LEASE)).as("claimed by another replica").isEmpty();

        clock.advance(LEASE);
        assertThat(requests.claimDueWebhooks(10, LEASE)).as("its claimer died").extracting(DueWebhook::attempt).containsExactly(2);
    }

    @Test
    void aFailedWebhookIsDueAgainAfterItsWaitAndGoneOnceDeliveredOrGivenUp() {
        SimulatedRequest delivered = insert("https://gateway.example/fal/webhooks/trn_2/token");
        SimulatedRequest abandoned = insert("https://gateway.example/fal/webhooks/trn_3/token");
        insert(null);
        clock.advance(Duration.ofSeconds(40));
        assertThat(requests.claimDueWebhooks(10, LEASE)).hasSize(2);

        requests.webhookFailed(delivered.id(), Duration.ofSeconds(5));
        requests.webhookFailed(abandoned.id(), null);
        clock.advance(Duration.ofSeconds(4));
        assertThat(requests.claimDueWebhooks(10, LEASE)).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        assertThat(requests.claimDueWebhooks(10, LEASE)).extracting(due -> due.request().id()).containsExactly(delivered.id());

        requests.webhookDelivered(delivered.id());
        clock.advance(Duration.ofHours(1));
        assertThat(requests.claimDueWebhooks(10, LEASE)).isEmpty();
        assertThat(jdbc.sql("select webhook_sent_at from sandbox_request where request_id = ?").param(delivered.id())
                .query(Timestamp.class).single().toInstant()).isEqualTo(clock.instant().minus(Duration.ofHours(1)));
    }

    @Test
    void onlyRequestsCompletedLongEnoughAgoWithNoWebhookLeftAreForgotten() {
        SimulatedRequest old = insert(null);
        SimulatedRequest undelivered = insert("https://gateway.example/fal/webhooks/trn_4/token");
        clock.advance(Duration.ofDays(8));
        SimulatedRequest recent = insert(null);

        assertThat(requests.purgeCompletedBefore(clock.instant().minus(Duration.ofDays(7)), 1000)).isOne();

        assertThat(requests.find(old.id())).isEmpty();
        assertThat(requests.find(undelivered.id())).isPresent();
        assertThat(requests.find(recent.id())).isPresent();
    }

    /** A request submitted now that queues for 10 s and runs for 30 s. */
    private static SimulatedRequest insert(String webhookUrl) {
        Instant now = clock.instant();
        var request = new SimulatedRequest(UUID.randomUUID(), "{}", webhookUrl, false, now, now.plusSeconds(10), now.plusSeconds(40), null);
        requests.insert(request);
        return request;
    }
}
