package com.ltxgateway.webhook;

import static com.ltxgateway.Timestamps.instant;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

import com.github.f4b6a3.ulid.UlidCreator;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The outbox of webhook deliveries and their attempts. Claims work like the tracker's: a claim moves a due row's
 * {@code due_at} to the end of its lease, so a dead instance's rows become due again by themselves. Each claim
 * also counts an attempt, and an attempt's result is stored only where that count and the lease owner still
 * match: an instance that lost its lease changes nothing, and no attempt number is ever used twice. Every time is the
 * gateway's clock, bound as a parameter.
 */
@Component
public class WebhookDeliveries {

    private static final int MAX_ERROR_LENGTH = 500;

    private final JdbcClient jdbc;
    private final Clock clock;

    WebhookDeliveries(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    public enum Status {
        PENDING, DELIVERED, FAILED;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Status fromWireName(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }
    }

    /** @param trainingId null for a team's budget event */
    record ClaimedDelivery(String id, String eventId, String eventType, @Nullable String trainingId, UUID teamId, UUID endpointId,
            String url, String payload, int attempt, int failures) {
    }

    /**
     * Joins the transaction of the change, so an event is never lost nor written without its change.
     *
     * @param trainingId null for a team's budget event
     */
    void add(String eventId, WebhookEventType type, @Nullable String trainingId, UUID teamId, UUID endpointId, String url,
            String payload) {
        jdbc.sql("""
                insert into webhook_delivery (id, event_id, event_type, training_id, team_id, endpoint_id, url, payload,
                    status, due_at, created_at)
                values (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)""")
                .params("dlv_" + UlidCreator.getMonotonicUlid().toString().toLowerCase(Locale.ROOT), eventId,
                        type.wireName(), trainingId, teamId, endpointId, url, payload, clockNow(), clockNow())
                .update();
    }

    @Transactional
    List<ClaimedDelivery> claim(String owner, int limit, Duration lease) {
        Instant now = clock.instant();
        Timestamp until = Timestamp.from(now.plus(lease));
        return jdbc.sql("""
                update webhook_delivery set lease_owner = ?, lease_until = ?, due_at = ?, attempts = attempts + 1
                where id in (
                    select id from webhook_delivery
                    where status = 'pending' and due_at <= ? and (lease_until is null or lease_until < ?)
                    order by due_at
                    limit ?
                    for update skip locked)
                returning id, event_id, event_type, training_id, team_id, endpoint_id, url, payload, attempts, failures""")
                .params(owner, until, until, Timestamp.from(now), Timestamp.from(now), limit)
                .query((rs, n) -> new ClaimedDelivery(rs.getString("id"), rs.getString("event_id"), rs.getString("event_type"),
                        rs.getString("training_id"), rs.getObject("team_id", UUID.class), rs.getObject("endpoint_id", UUID.class),
                        rs.getString("url"), rs.getString("payload"), rs.getInt("attempts"), rs.getInt("failures")))
                .list();
    }

    /**
     * Stores where an attempt leaves the delivery: {@code pending} again after {@code retryIn}, or finished. Returns
     * false, changing nothing, when the claim was lost meanwhile. Joins the caller's transaction.
     */
    boolean finish(ClaimedDelivery delivery, String owner, Status status, int failures, Duration retryIn, String error) {
        Instant now = clock.instant();
        return jdbc.sql("""
                update webhook_delivery set status = ?, failures = ?, due_at = ?, lease_owner = null, lease_until = null,
                    last_error = ?, finished_at = ?
                where id = ? and lease_owner = ? and attempts = ?""")
                .params(status.wireName(), failures, Timestamp.from(now.plus(retryIn)), truncate(error),
                        status == Status.PENDING ? null : Timestamp.from(now), delivery.id(), owner, delivery.attempt())
                .update() == 1;
    }

    void addAttempt(ClaimedDelivery delivery, Instant at, String sentBy, Integer httpStatus, Duration latency, String error) {
        jdbc.sql("""
                insert into webhook_attempt (delivery_id, attempt, at, sent_by, http_status, latency_ms, error)
                values (?, ?, ?, ?, ?, ?, ?)""")
                .params(delivery.id(), delivery.attempt(), Timestamp.from(at), sentBy, httpStatus,
                        (int) Math.min(Integer.MAX_VALUE, latency.toMillis()), truncate(error))
                .update();
    }

    /**
     * Ends the pending deliveries to an endpoint that takes none any more. One being attempted right now is left
     * to its attempt, which finds the endpoint inactive if it is retried.
     */
    void failPendingTo(UUID endpointId, String reason) {
        jdbc.sql("""
                update webhook_delivery set status = 'failed', last_error = ?, finished_at = ?
                where endpoint_id = ? and status = 'pending' and (lease_until is null or lease_until < ?)""")
                .params(truncate(reason), clockNow(), endpointId, clockNow())
                .update();
    }

    /**
     * Makes a delivery due now with the whole retry schedule ahead of it again. Returns false when an attempt is
     * under way.
     */
    boolean redeliver(String id) {
        return jdbc.sql("""
                update webhook_delivery set status = 'pending', failures = 0, due_at = ?, finished_at = null
                where id = ? and (lease_until is null or lease_until < ?)""")
                .params(clockNow(), id, clockNow())
                .update() == 1;
    }

    // --- what admins see ------------------------------------------------------------------------------------------

    public record Attempt(int attempt, Instant at, String sentBy, Integer httpStatus, int latencyMs, String error) {
    }

    public record Delivery(String id, String eventId, String eventType, @Nullable String trainingId, UUID teamId, UUID endpointId,
            String url, Status status, int attempts, Instant dueAt, String lastError, Instant createdAt,
            Instant finishedAt, Attempt lastAttempt) {
    }

    private static final String SELECT_DELIVERY = """
            select d.id, d.event_id, d.event_type, d.training_id, d.team_id, d.endpoint_id, d.url, d.status, d.attempts,
                d.due_at, d.last_error, d.created_at, d.finished_at,
                a.attempt as a_attempt, a.at as a_at, a.sent_by as a_sent_by, a.http_status as a_http_status,
                a.latency_ms as a_latency_ms, a.error as a_error
            from webhook_delivery d
            left join lateral (
                select * from webhook_attempt where delivery_id = d.id order by attempt desc limit 1) a on true
            """;

    /** Newest first; {@code before} is the last id of the previous page. */
    List<Delivery> page(Status status, String trainingId, String before, int limit) {
        var sql = new StringBuilder(SELECT_DELIVERY).append("where true");
        var parameters = new ArrayList<Object>();
        if (status != null) {
            sql.append(" and d.status = ?");
            parameters.add(status.wireName());
        }
        if (trainingId != null) {
            sql.append(" and d.training_id = ?");
            parameters.add(trainingId);
        }
        if (before != null) {
            sql.append(" and d.id < ?");
            parameters.add(before);
        }
        sql.append(" order by d.id desc limit ?");
        parameters.add(limit);
        return jdbc.sql(sql.toString()).params(parameters).query(WebhookDeliveries::delivery).list();
    }

    Optional<Delivery> find(String id) {
        return jdbc.sql(SELECT_DELIVERY + "where d.id = ?").param(id).query(WebhookDeliveries::delivery).optional();
    }

    List<Attempt> attempts(String deliveryId) {
        return jdbc.sql("""
                select attempt as a_attempt, at as a_at, sent_by as a_sent_by, http_status as a_http_status,
                    latency_ms as a_latency_ms, error as a_error
                from webhook_attempt where delivery_id = ? order by attempt""")
                .param(deliveryId)
                .query((rs, n) -> attempt(rs))
                .list();
    }

    private static Delivery delivery(ResultSet rs, int row) throws SQLException {
        return new Delivery(rs.getString("id"), rs.getString("event_id"), rs.getString("event_type"),
                rs.getString("training_id"), rs.getObject("team_id", UUID.class), rs.getObject("endpoint_id", UUID.class),
                rs.getString("url"), Status.fromWireName(rs.getString("status")), rs.getInt("attempts"),
                instant(rs.getTimestamp("due_at")), rs.getString("last_error"), instant(rs.getTimestamp("created_at")),
                instant(rs.getTimestamp("finished_at")), rs.getTimestamp("a_at") == null ? null : attempt(rs));
    }

    private static Attempt attempt(ResultSet rs) throws SQLException {
        return new Attempt(rs.getInt("a_attempt"), instant(rs.getTimestamp("a_at")), rs.getString("a_sent_by"),
                rs.getObject("a_http_status", Integer.class), rs.getInt("a_latency_ms"), rs.getString("a_error"));
    }

    private Timestamp clockNow() {
        return Timestamp.from(clock.instant());
    }

    private static String truncate(String value) {
        return value == null || value.length() <= MAX_ERROR_LENGTH ? value : value.substring(0, MAX_ERROR_LENGTH - 1) + "…";
    }
}
