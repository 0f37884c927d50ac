package com.ltxgateway.tracking;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The tracker's work queue. A claim moves a due row's {@code due_at} to the end of its lease, so the rows of an
 * instance that dies become due again by themselves. Updates after a claim are fenced by {@code lease_owner}:
 * an instance whose lease ran out and was taken over changes nothing.
 */
@Component
class TrackingJobs {

    private final JdbcClient jdbc;

    TrackingJobs(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    record ClaimedJob(String trainingId, Duration pollInterval, String lastFalState, Instant cancelSentAt,
            Instant failingSince, int failedAttempts) {
    }

    /** Joins the creating transaction: a training is never stored without its job. */
    void add(String trainingId) {
        jdbc.sql("insert into tracking_job (training_id, due_at) values (?, now()) on conflict do nothing")
                .param(trainingId)
                .update();
    }

    /**
     * Makes a job due now. A claimed job keeps its lease; moving its due time before the lease end tells
     * {@link #release} to make it due again at once.
     */
    void nudge(String trainingId) {
        jdbc.sql("update tracking_job set due_at = now() where training_id = ?").param(trainingId).update();
    }

    void remove(String trainingId) {
        jdbc.sql("delete from tracking_job where training_id = ?").param(trainingId).update();
    }

    @Transactional
    List<ClaimedJob> claim(String owner, int limit, Duration lease) {
        return jdbc.sql("""
                update tracking_job set lease_owner = ?, lease_until = now() + ? * interval '1 millisecond', due_at = now() + ? * interval '1 millisecond'
                where training_id in (
                    select training_id from tracking_job
                    where due_at <= now() and (lease_until is null or lease_until < now())
                    order by due_at
                    limit ?
                    for update skip locked)
                returning training_id, poll_interval_ms, last_fal_state, cancel_sent_at, failing_since, failed_attempts""")
                .params(owner, interval(lease), interval(lease), limit)
                .query((rs, n) -> new ClaimedJob(rs.getString("training_id"), Duration.ofMillis(rs.getLong("poll_interval_ms")),
                        rs.getString("last_fal_state"), instant(rs.getTimestamp("cancel_sent_at")),
                        instant(rs.getTimestamp("failing_since")), rs.getInt("failed_attempts")))
                .list();
    }

    /** fal answered: the next step is due after {@code delay}, or at once if the job was nudged meanwhile. */
    @Transactional
    void release(String trainingId, String owner, Duration delay, Duration pollInterval, String falState) {
        jdbc.sql("""
                update tracking_job set
                    due_at = case when due_at < lease_until then now() else now() + ? * interval '1 millisecond' end,
                    lease_owner = null, lease_until = null, poll_interval_ms = ?, last_fal_state = ?,
                    failing_since = null, failed_attempts = 0, last_failure = null
                where training_id = ? and lease_owner = ?""")
                .params(interval(delay), pollInterval.toMillis(), falState, trainingId, owner)
                .update();
    }

    /** fal was unavailable: retry after {@code delay}, remembering since when it has been failing. */
    @Transactional
    void releaseAfterFailure(String trainingId, String owner, Duration delay, Instant failingSince, int failedAttempts,
            String failure) {
        jdbc.sql("""
                update tracking_job set due_at = now() + ? * interval '1 millisecond', lease_owner = null, lease_until = null,
                    failing_since = ?, failed_attempts = ?, last_failure = ?
                where training_id = ? and lease_owner = ?""")
                .params(interval(delay), Timestamp.from(failingSince), failedAttempts, truncate(failure), trainingId, owner)
                .update();
    }

    @Transactional
    void cancelSent(String trainingId, String owner) {
        jdbc.sql("update tracking_job set cancel_sent_at = now() where training_id = ? and lease_owner = ?")
                .params(trainingId, owner)
                .update();
    }

    private static long interval(Duration duration) {
        return duration.toMillis();
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    private static String truncate(String value) {
        return value == null || value.length() <= 500 ? value : value.substring(0, 500);
    }
}
