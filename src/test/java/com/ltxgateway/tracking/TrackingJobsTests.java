package com.ltxgateway.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;

import com.ltxgateway.support.MutableClock;
import com.ltxgateway.support.TestPostgres;
import com.ltxgateway.tracking.TrackingJobs.ClaimedJob;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The work queue's claim rules, on a real PostgreSQL: what several instances rely on to never do work twice. Leases
 * run out when the test moves the queue's clock.
 */
class TrackingJobsTests {

    private static final MutableClock clock = MutableClock.atPresent();
    private static JdbcClient jdbc;
    private static TrackingJobs jobs;
    private static TransactionTemplate transactions;
    private static UUID team;

    @BeforeAll
    static void database() {
        TestPostgres.Server server = TestPostgres.server();
        var dataSource = new DriverManagerDataSource(TestPostgres.newDatabase("jobs"), server.username(), server.password());
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        jdbc = JdbcClient.create(dataSource);
        jobs = new TrackingJobs(jdbc, clock);
        transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        team = UUID.randomUUID();
        jdbc.sql("insert into team (id, slug, name, created_at) values (?, 'jobs', 'Jobs', now())").param(team).update();
    }

    @BeforeEach
    void empty() {
        jdbc.sql("delete from tracking_job").update();
    }

    @Test
    void claimsOnlyDueUnleasedJobs() {
        String due = training();
        String later = training();
        jobs.add(due);
        jobs.add(later);
        jdbc.sql("update tracking_job set due_at = ? where training_id = ?")
                .params(Timestamp.from(clock.instant().plus(Duration.ofHours(1))), later).update();

        List<ClaimedJob> first = jobs.claim("a", 10, Duration.ofMinutes(1));
        List<ClaimedJob> second = jobs.claim("b", 10, Duration.ofMinutes(1));

        assertThat(first).extracting(ClaimedJob::trainingId).containsExactly(due);
        assertThat(second).isEmpty();
    }

    @Test
    void concurrentClaimersNeverShareAJob() throws Exception {
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String id = training();
            jobs.add(id);
            all.add(id);
        }
        int claimers = 4;
        var barrier = new CyclicBarrier(claimers);
        List<Callable<List<String>>> tasks = new ArrayList<>();
        for (int c = 0; c < claimers; c++) {
            String owner = "instance-" + c;
            tasks.add(() -> {
                barrier.await();
                List<String> mine = new ArrayList<>();
                List<ClaimedJob> batch;
                while (!(batch = jobs.claim(owner, 7, Duration.ofMinutes(1))).isEmpty()) {
                    batch.forEach(job -> mine.add(job.trainingId()));
                }
                return mine;
            });
        }
        List<String> claimed = new ArrayList<>();
        try (var executor = Executors.newFixedThreadPool(claimers)) {
            for (var result : executor.invokeAll(tasks)) {
                claimed.addAll(result.get());
            }
        }

        assertThat(claimed).hasSameSizeAs(all).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(all);
    }

    @Test
    void aDeadInstancesClaimIsTakenOverWhenItsLeaseRunsOut() {
        String id = training();
        jobs.add(id);
        assertThat(jobs.claim("dead", 10, Duration.ofMillis(1))).hasSize(1);

        clock.advance(Duration.ofMillis(2));
        List<ClaimedJob> takenOver = jobs.claim("survivor", 10, Duration.ofMinutes(1));

        assertThat(takenOver).extracting(ClaimedJob::trainingId).containsExactly(id);
    }

    @Test
    void anInstanceThatLostItsLeaseChangesNothing() {
        String id = training();
        jobs.add(id);
        ClaimedJob slow = jobs.claim("slow", 10, Duration.ofMillis(1)).getFirst();
        clock.advance(Duration.ofMillis(2));
        jobs.claim("survivor", 10, Duration.ofMinutes(1));

        jobs.release(slow, Duration.ZERO, Duration.ofSeconds(1), "IN_QUEUE");
        jobs.renew(List.of(slow), Duration.ofMinutes(5));

        assertThat(jdbc.sql("select lease_owner from tracking_job where training_id = ?").param(id).query(String.class).single())
                .isEqualTo("survivor");
        assertThat(holds(slow)).isFalse();
    }

    @Test
    void anEarlierClaimOfTheSameInstanceIsFencedByItsClaimCount() {
        String id = training();
        jobs.add(id);
        ClaimedJob earlier = jobs.claim("same", 10, Duration.ofMillis(1)).getFirst();
        clock.advance(Duration.ofMillis(2));
        ClaimedJob later = jobs.claim("same", 10, Duration.ofMinutes(1)).getFirst();

        assertThat(later.claim()).isGreaterThan(earlier.claim());
        assertThat(holds(earlier)).isFalse();
        assertThat(holds(later)).isTrue();
        jobs.release(earlier, Duration.ofHours(1), Duration.ofSeconds(1), "IN_QUEUE");
        assertThat(jdbc.sql("select lease_until is not null from tracking_job where training_id = ?").param(id)
                .query(Boolean.class).single()).as("the later claim still holds its lease").isTrue();
    }

    @Test
    void theHeartbeatKeepsALongStepsClaim() {
        String id = training();
        jobs.add(id);
        ClaimedJob step = jobs.claim("busy", 10, Duration.ofMillis(300)).getFirst();
        for (int i = 0; i < 4; i++) {
            clock.advance(Duration.ofMillis(100));
            jobs.renew(List.of(step), Duration.ofMillis(300));
        }

        assertThat(jobs.claim("other", 10, Duration.ofMinutes(1))).as("a renewed lease is not taken over").isEmpty();
        assertThat(holds(step)).isTrue();
    }

    @Test
    void aStoppingInstanceHandsBackItsClaimsDueAtOnce() {
        String id = training();
        jobs.add(id);
        ClaimedJob held = jobs.claim("stopping", 10, Duration.ofMinutes(10)).getFirst();

        jobs.handBack(List.of(held));

        assertThat(jobs.claim("other", 10, Duration.ofMinutes(1))).extracting(ClaimedJob::trainingId).containsExactly(id);
        assertThat(holds(held)).isFalse();
    }

    @Test
    void aNudgeDuringAClaimMakesTheJobDueAgainOnRelease() {
        String id = training();
        jobs.add(id);
        ClaimedJob claimed = jobs.claim("a", 10, Duration.ofMinutes(1)).getFirst();

        jobs.nudge(id);
        jobs.renew(List.of(claimed), Duration.ofMinutes(1));
        assertThat(jobs.claim("b", 10, Duration.ofMinutes(1))).as("a nudge does not break a lease").isEmpty();
        jobs.release(claimed, Duration.ofHours(1), Duration.ofSeconds(1), "IN_PROGRESS");

        assertThat(jobs.claim("b", 10, Duration.ofMinutes(1))).extracting(ClaimedJob::trainingId).containsExactly(id);
    }

    @Test
    void releaseSchedulesTheNextStepAndClearsFailures() {
        String id = training();
        jobs.add(id);
        ClaimedJob first = jobs.claim("a", 10, Duration.ofMinutes(1)).getFirst();
        jobs.releaseAfterFailure(first, Duration.ZERO, clock.instant(), 3, "HTTP 503");
        ClaimedJob retried = jobs.claim("a", 10, Duration.ofMinutes(1)).getFirst();
        assertThat(retried.failedAttempts()).isEqualTo(3);
        assertThat(retried.failingSince()).isNotNull();

        jobs.release(retried, Duration.ofHours(1), Duration.ofSeconds(4), "IN_PROGRESS");

        assertThat(jobs.claim("a", 10, Duration.ofMinutes(1))).isEmpty();
        var row = jdbc.sql("select failed_attempts, poll_interval_ms, last_fal_state from tracking_job where training_id = ?")
                .param(id).query().singleRow();
        assertThat(row).containsEntry("failed_attempts", 0).containsEntry("poll_interval_ms", 4000L)
                .containsEntry("last_fal_state", "IN_PROGRESS");
    }

    /** The fence check runs inside a transaction that locks the job's row; here, one of its own. */
    private static boolean holds(ClaimedJob job) {
        return transactions.execute(tx -> jobs.holds(job));
    }

    private static String training() {
        String id = "trn_" + UUID.randomUUID().toString().replace("-", "").substring(0, 26);
        jdbc.sql("""
                insert into training (id, team_id, mode, status, input, number_of_steps, estimated_cost_usd, created_at)
                values (?, ?, 'sandbox', 'pending', '{}', 100, 0.24, now())""").params(id, team).update();
        return id;
    }
}
