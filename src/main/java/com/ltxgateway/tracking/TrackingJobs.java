package com.ltxgateway.tracking;

import static com.ltxgateway.Timestamps.instant;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The tracker's work queue. A claim takes a due row under a lease ({@code lease_until}, renewed by the claimer's
 * heartbeat while it works) and counts it in {@code claim_count}; every later write names the claim it belongs to,
 * so an instance whose lease ran out and was taken over, even by itself, changes nothing. {@code due_at} moves past
 * the lease with it, which keeps claimed rows out of the claim query's index range. Every time is the gateway's clock,
 * bound as a parameter, so the whole queue follows one clock.
 */
@Component
class TrackingJobs {

    private final JdbcClient jdbc;
    private final Clock clock;

    TrackingJobs(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /**
     * One claim of one job.
     *
     * @param claim the job's claim count at this claim: the fencing token of every write that follows
     */
    record ClaimedJob(String trainingId, String owner, long claim, Duration pollInterval, String lastFalState,
            Instant cancelConfirmedAt, Instant failingSince, int failedAttempts) {
    }

    /** Joins the creating transaction: a training is never stored without its job. */
    void add(String trainingId) {
        jdbc.sql("insert into tracking_job (training_id, due_at) values (?, ?) on conflict do nothing")
                .params(trainingId, clockNow())
                .update();
    }

    /**
     * Makes a job due now. A claimed job keeps its lease and is made due again as soon as its step releases it, so a
     * cancel or a settled submit never waits for the step's planned delay.
     */
    void nudge(String trainingId) {
        Timestamp now = clockNow();
        jdbc.sql("update tracking_job set due_at = least(due_at, ?), nudged_at = ? where training_id = ?")
                .params(now, now, trainingId)
                .update();
    }

    /** Joins the transaction that finished the training. */
    void remove(String trainingId) {
        jdbc.sql("delete from tracking_job where training_id = ?").param(trainingId).update();
    }

    @Transactional
    List<ClaimedJob> claim(String owner, int limit, Duration lease) {
        Instant now = clock.instant();
        Timestamp until = Timestamp.from(now.plus(lease));
        return jdbc.sql("""
                update tracking_job set lease_owner = ?, lease_until = ?, due_at = ?, claim_count = claim_count + 1, nudged_at = null
                where training_id in (
                    select training_id from tracking_job
                    where due_at <= ? and (lease_until is null or lease_until < ?)
                    order by due_at
                    limit ?
                    for update skip locked)
                returning training_id, claim_count, poll_interval_ms, last_fal_state, cancel_confirmed_at, failing_since, failed_attempts""")
                .params(owner, until, until, Timestamp.from(now), Timestamp.from(now), limit)
                .query((rs, n) -> new ClaimedJob(rs.getString("training_id"), owner, rs.getLong("claim_count"),
                        Duration.ofMillis(rs.getLong("poll_interval_ms")), rs.getString("last_fal_state"),
                        instant(rs.getTimestamp("cancel_confirmed_at")), instant(rs.getTimestamp("failing_since")),
                        rs.getInt("failed_attempts")))
                .list();
    }

    /** The heartbeat: extends the leases of claims still held. Claims taken over meanwhile are left alone. */
    @Transactional
    void renew(List<ClaimedJob> jobs, Duration lease) {
        if (jobs.isEmpty()) {
            return;
        }
        Timestamp until = Timestamp.from(clock.instant().plus(lease));
        jdbc.sql("""
                update tracking_job j set lease_until = ?, due_at = ?
                from unnest(cast(? as text[]), cast(? as bigint[])) as held(training_id, claim)
                where j.training_id = held.training_id and j.claim_count = held.claim and j.lease_owner = ?""")
                .params(until, until, ids(jobs), claims(jobs), jobs.getFirst().owner())
                .update();
    }

    /**
     * The fence of a claim: whether it still holds an unexpired lease. The row stays locked until the caller's
     * transaction ends, so the lease cannot be taken over between this check and the writes that follow it.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    boolean holds(ClaimedJob job) {
        return jdbc.sql("""
                select 1 from tracking_job
                where training_id = ? and lease_owner = ? and claim_count = ? and lease_until > ?
                for update""")
                .params(job.trainingId(), job.owner(), job.claim(), clockNow())
                .query(Integer.class)
                .optional()
                .isPresent();
    }

    /** fal answered: the next step is due after {@code delay}, or at once if the job was nudged meanwhile. */
    @Transactional
    void release(ClaimedJob job, Duration delay, Duration pollInterval, String falState) {
        Instant now = clock.instant();
        jdbc.sql("""
                update tracking_job set
                    due_at = case when nudged_at is not null then cast(? as timestamptz) else cast(? as timestamptz) end,
                    nudged_at = null, lease_owner = null, lease_until = null, poll_interval_ms = ?, last_fal_state = ?,
                    failing_since = null, failed_attempts = 0, last_failure = null
                where training_id = ? and lease_owner = ? and claim_count = ?""")
                .params(Timestamp.from(now), Timestamp.from(now.plus(delay)), pollInterval.toMillis(), falState,
                        job.trainingId(), job.owner(), job.claim())
                .update();
    }

    /** fal was unavailable: retry after {@code delay} (or at once when nudged), remembering since when it has been failing. */
    @Transactional
    void releaseAfterFailure(ClaimedJob job, Duration delay, Instant failingSince, int failedAttempts, String failure) {
        Instant now = clock.instant();
        jdbc.sql("""
                update tracking_job set
                    due_at = case when nudged_at is not null then cast(? as timestamptz) else cast(? as timestamptz) end,
                    nudged_at = null, lease_owner = null, lease_until = null,
                    failing_since = ?, failed_attempts = ?, last_failure = ?
                where training_id = ? and lease_owner = ? and claim_count = ?""")
                .params(Timestamp.from(now), Timestamp.from(now.plus(delay)), Timestamp.from(failingSince), failedAttempts, truncate(failure), job.trainingId(),
                        job.owner(), job.claim())
                .update();
    }

    /** fal confirmed the training's cancel; from now on polls tell how the run ended. */
    @Transactional
    void cancelConfirmed(ClaimedJob job) {
        jdbc.sql("update tracking_job set cancel_confirmed_at = ? where training_id = ? and lease_owner = ? and claim_count = ?")
                .params(clockNow(), job.trainingId(), job.owner(), job.claim())
                .update();
    }

    /** A stopping instance's claims, due at once for whichever instance claims next. */
    @Transactional
    void handBack(List<ClaimedJob> jobs) {
        if (jobs.isEmpty()) {
            return;
        }
        jdbc.sql("""
                update tracking_job j set lease_owner = null, lease_until = null, due_at = ?, nudged_at = null
                from unnest(cast(? as text[]), cast(? as bigint[])) as held(training_id, claim)
                where j.training_id = held.training_id and j.claim_count = held.claim and j.lease_owner = ?""")
                .params(clockNow(), ids(jobs), claims(jobs), jobs.getFirst().owner())
                .update();
    }

    private Timestamp clockNow() {
        return Timestamp.from(clock.instant());
    }

    private static String[] ids(List<ClaimedJob> jobs) {
        return jobs.stream().map(ClaimedJob::trainingId).toArray(String[]::new);
    }

    private static Long[] claims(List<ClaimedJob> jobs) {
        return jobs.stream().map(ClaimedJob::claim).toArray(Long[]::new);
    }


    private static String truncate(String value) {
        return value == null || value.length() <= 500 ? value : value.substring(0, 500);
    }
}
