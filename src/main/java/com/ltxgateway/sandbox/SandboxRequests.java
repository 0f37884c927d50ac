package com.ltxgateway.sandbox;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

@Component
public class SandboxRequests {

    private final JdbcClient jdbc;
    private final Clock clock;

    SandboxRequests(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** A request with a webhook URL has its webhook due when it completes. */
    @Transactional
    public void insert(SimulatedRequest request) {
        jdbc.sql("""
                insert into sandbox_request (request_id, input, webhook_url, fail, created_at, started_at, completed_at, webhook_due_at)
                values (?, cast(? as jsonb), ?, ?, ?, ?, ?, ?)""")
                .params(request.id(), request.input(), request.webhookUrl(), request.fail(),
                        Timestamp.from(request.createdAt()), Timestamp.from(request.startedAt()),
                        Timestamp.from(request.completedAt()), request.webhookUrl() == null ? null : Timestamp.from(request.completedAt()))
                .update();
    }

    @Transactional(readOnly = true)
    public Optional<SimulatedRequest> find(UUID id) {
        return jdbc.sql("select * from sandbox_request where request_id = ?").param(id).query(SandboxRequests::map).optional();
    }

    /** Stops the simulated run now: a queued request never starts, a running one completes (and calls back) at once. */
    @Transactional
    public void cancel(UUID id, Instant now) {
        jdbc.sql("""
                update sandbox_request set canceled_at = ?, completed_at = least(completed_at, ?),
                    started_at = least(started_at, ?),
                    webhook_due_at = case when webhook_due_at is not null then least(webhook_due_at, ?) end
                where request_id = ? and canceled_at is null""")
                .params(Timestamp.from(now), Timestamp.from(now), Timestamp.from(now), Timestamp.from(now), id)
                .update();
    }

    record DueWebhook(SimulatedRequest request, int attempt) {
    }

    /**
     * Claims completed requests whose webhook is due, moving their due time past {@code lease}: no other replica
     * takes them meanwhile, and if this one dies they are due again after it.
     */
    @Transactional
    List<DueWebhook> claimDueWebhooks(int limit, Duration lease) {
        Instant now = clock.instant();
        return jdbc.sql("""
                update sandbox_request set webhook_due_at = ?, webhook_attempts = webhook_attempts + 1
                where request_id in (
                    select request_id from sandbox_request
                    where webhook_due_at <= ?
                    order by webhook_due_at
                    limit ?
                    for update skip locked)
                returning *""")
                .params(Timestamp.from(now.plus(lease)), Timestamp.from(now), limit)
                .query((rs, row) -> new DueWebhook(map(rs, row), rs.getInt("webhook_attempts")))
                .list();
    }

    @Transactional
    void webhookDelivered(UUID id) {
        jdbc.sql("update sandbox_request set webhook_sent_at = ?, webhook_due_at = null where request_id = ?")
                .params(Timestamp.from(clock.instant()), id)
                .update();
    }

    /** {@code retryIn} null: given up. */
    @Transactional
    void webhookFailed(UUID id, Duration retryIn) {
        jdbc.sql("update sandbox_request set webhook_due_at = ? where request_id = ?")
                .params(retryIn == null ? null : Timestamp.from(clock.instant().plus(retryIn)), id)
                .update();
    }

    /**
     * Deletes requests that completed before {@code cutoff} and have no webhook left to deliver, at most
     * {@code limit} at a time so one purge never holds many locks for long. Returns how many went.
     */
    @Transactional
    int purgeCompletedBefore(Instant cutoff, int limit) {
        return jdbc.sql("""
                delete from sandbox_request where request_id in (
                    select request_id from sandbox_request
                    where completed_at < ? and webhook_due_at is null
                    limit ?
                    for update skip locked)""")
                .params(Timestamp.from(cutoff), limit)
                .update();
    }

    private static SimulatedRequest map(ResultSet rs, int row) throws SQLException {
        Timestamp canceled = rs.getTimestamp("canceled_at");
        return new SimulatedRequest(rs.getObject("request_id", UUID.class), rs.getString("input"),
                rs.getString("webhook_url"), rs.getBoolean("fail"), rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("started_at").toInstant(), rs.getTimestamp("completed_at").toInstant(),
                canceled == null ? null : canceled.toInstant());
    }
}
