package com.ltxgateway.reconciliation;

import static com.ltxgateway.Timestamps.instant;
import static com.ltxgateway.Timestamps.timestamp;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.ltxgateway.fal.FalRequestRecord;
import com.ltxgateway.training.UnwantedFalRequest;

import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * fal requests that no training follows: the duplicates the gateway finds itself (a late submit answer, a fal
 * webhook for a request the training does not want), and requests that fal's listing or billing shows and no training
 * owns. A request that may still run has a cancel due, sent by {@link OrphanCancels} until fal confirms it; the claims
 * on those rows work like the tracker's. An orphan that a training adopts later (fal's webhook or listing named it)
 * is no orphan: reads leave such rows out, and the reconciliation moves what fal billed for them to the training.
 */
@Component
public class FalOrphans {

    private final JdbcClient jdbc;
    private final Clock clock;

    FalOrphans(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Recorded in the transaction that found the duplicate, with its cancel due at once. */
    @EventListener
    void on(UnwantedFalRequest unwanted) {
        jdbc.sql("""
                insert into fal_orphan (request_id, mode, training_id, found_by, found_at, cancel_due_at)
                values (?, ?, ?, ?, ?, ?)
                on conflict (request_id) do update set training_id = coalesce(fal_orphan.training_id, excluded.training_id)""")
                .params(unwanted.requestId(), unwanted.mode(), unwanted.trainingId(), unwanted.foundBy(), clockNow(), clockNow())
                .update();
    }

    /** A request of fal's listing that no training owns; one that has not ended is to be canceled when {@code cancel}. */
    @Transactional
    void recordListed(FalRequestRecord request, boolean cancel) {
        jdbc.sql("""
                insert into fal_orphan (request_id, mode, found_by, found_at, sent_at, ended_at, status_code, cancel_due_at)
                values (?, 'live', 'listing', ?, ?, ?, ?, ?)
                on conflict (request_id) do update set sent_at = excluded.sent_at, ended_at = excluded.ended_at,
                    status_code = excluded.status_code,
                    cancel_due_at = case when excluded.ended_at is not null then null else fal_orphan.cancel_due_at end""")
                .params(request.requestId(), clockNow(), timestamp(request.sentAt()), timestamp(request.endedAt()),
                        request.statusCode(), cancel && !request.ended() ? clockNow() : null)
                .update();
    }

    /** What fal billed for a request no training owns. */
    @Transactional
    void recordBilled(String requestId, BigDecimal amount, Instant billedAt) {
        jdbc.sql("""
                insert into fal_orphan (request_id, mode, found_by, found_at, ended_at, billed_usd)
                values (?, 'live', 'billing', ?, ?, ?)
                on conflict (request_id) do update set billed_usd = excluded.billed_usd,
                    ended_at = coalesce(fal_orphan.ended_at, excluded.ended_at)""")
                .params(requestId, clockNow(), timestamp(billedAt), amount)
                .update();
    }

    record Adopted(String requestId, BigDecimal billedUsd) {
    }

    /** Forgets the rows of requests a training follows by now, and returns what fal billed for them. */
    @Transactional
    List<Adopted> forgetAdopted() {
        return jdbc.sql("""
                delete from fal_orphan o using training t where t.fal_request_id = o.request_id
                returning o.request_id, o.billed_usd""")
                .query((rs, n) -> new Adopted(rs.getString("request_id"), rs.getBigDecimal("billed_usd")))
                .list();
    }

    record ClaimedCancel(String requestId, String mode, String owner, long claim, int attempts) {
    }

    @Transactional
    List<ClaimedCancel> claimCancels(String owner, int limit, Duration lease) {
        Instant now = clock.instant();
        Timestamp until = Timestamp.from(now.plus(lease));
        return jdbc.sql("""
                update fal_orphan set lease_owner = ?, lease_until = ?, cancel_due_at = ?, claim_count = claim_count + 1,
                    cancel_attempts = cancel_attempts + 1
                where request_id in (
                    select request_id from fal_orphan
                    where cancel_due_at <= ? and (lease_until is null or lease_until < ?)
                    order by cancel_due_at
                    limit ?
                    for update skip locked)
                returning request_id, mode, claim_count, cancel_attempts""")
                .params(owner, until, until, Timestamp.from(now), Timestamp.from(now), limit)
                .query((rs, n) -> new ClaimedCancel(rs.getString("request_id"), rs.getString("mode"), owner,
                        rs.getLong("claim_count"), rs.getInt("cancel_attempts")))
                .list();
    }

    /** Whether a training follows the request by now: then it is no orphan, and canceling it would end a paid run. */
    @Transactional(readOnly = true)
    boolean adopted(String requestId) {
        return jdbc.sql("select 1 from training where fal_request_id = ?").param(requestId).query(Integer.class).optional().isPresent();
    }

    /** The cancel needs sending no more: fal confirmed it ({@code OK}, ...), or there is nothing to cancel. */
    @Transactional
    void cancelSettled(ClaimedCancel cancel, String outcome) {
        jdbc.sql("""
                update fal_orphan set cancel_due_at = null, cancel_outcome = ?, cancel_confirmed_at = ?, last_failure = null,
                    lease_owner = null, lease_until = null
                where request_id = ? and lease_owner = ? and claim_count = ?""")
                .params(outcome, clockNow(), cancel.requestId(), cancel.owner(), cancel.claim())
                .update();
    }

    @Transactional
    void cancelFailed(ClaimedCancel cancel, Duration retryIn, String failure) {
        jdbc.sql("""
                update fal_orphan set cancel_due_at = ?, last_failure = ?, lease_owner = null, lease_until = null
                where request_id = ? and lease_owner = ? and claim_count = ?""")
                .params(Timestamp.from(clock.instant().plus(retryIn)), failure.length() > 500 ? failure.substring(0, 500) : failure, cancel.requestId(),
                        cancel.owner(), cancel.claim())
                .update();
    }

    /** The heartbeat: extends the leases of cancels still under way; claims taken over meanwhile are left alone. */
    @Transactional
    void renew(List<ClaimedCancel> cancels, Duration lease) {
        Timestamp until = Timestamp.from(clock.instant().plus(lease));
        for (ClaimedCancel cancel : cancels) {
            jdbc.sql("""
                    update fal_orphan set lease_until = ?, cancel_due_at = ?
                    where request_id = ? and lease_owner = ? and claim_count = ?""")
                    .params(until, until, cancel.requestId(), cancel.owner(), cancel.claim())
                    .update();
        }
    }

    /** A stopping instance's claims, due at once for another. */
    @Transactional
    void handBack(List<ClaimedCancel> cancels) {
        for (ClaimedCancel cancel : cancels) {
            jdbc.sql("""
                    update fal_orphan set cancel_due_at = ?, lease_owner = null, lease_until = null
                    where request_id = ? and lease_owner = ? and claim_count = ?""")
                    .params(clockNow(), cancel.requestId(), cancel.owner(), cancel.claim())
                    .update();
        }
    }

    /**
     * An orphan as admins see it.
     *
     * @param trainingId the training whose submit made it, when known
     * @param cancel {@code pending} while a cancel is being sent, fal's answer once it confirmed one, or null when none
     * was needed (the request had ended)
     */
    public record Orphan(String requestId, String mode, String trainingId, String foundBy, Instant foundAt, Instant sentAt,
            Instant endedAt, Integer statusCode, BigDecimal billedUsd, String cancel, String lastFailure) {
    }

    /** Newest first, after the orphan {@code after} names (null for the newest); requests a training follows are left out. */
    @Transactional(readOnly = true)
    public List<Orphan> page(Cursor after, int limit) {
        return jdbc.sql("""
                select * from fal_orphan o
                where not exists (select 1 from training t where t.fal_request_id = o.request_id)
                  and (cast(? as timestamptz) is null or (o.found_at, o.request_id) < (cast(? as timestamptz), ?))
                order by o.found_at desc, o.request_id desc
                limit ?""")
                .params(after == null ? null : timestamp(after.foundAt()), after == null ? null : timestamp(after.foundAt()),
                        after == null ? null : after.requestId(), limit)
                .query(FalOrphans::orphan)
                .list();
    }

    public record Cursor(Instant foundAt, String requestId) {
    }

    /** Orphans whose cancel fal has not confirmed yet: requests that may still run and be billed. */
    @Transactional(readOnly = true)
    public long openCancels() {
        return jdbc.sql("select count(*) from fal_orphan where cancel_due_at is not null").query(Long.class).single();
    }

    private static Orphan orphan(ResultSet rs, int row) throws SQLException {
        String cancel = rs.getTimestamp("cancel_due_at") != null ? "pending" : rs.getString("cancel_outcome");
        return new Orphan(rs.getString("request_id"), rs.getString("mode"), rs.getString("training_id"), rs.getString("found_by"),
                instant(rs.getTimestamp("found_at")), instant(rs.getTimestamp("sent_at")), instant(rs.getTimestamp("ended_at")),
                (Integer) rs.getObject("status_code"), rs.getBigDecimal("billed_usd"), cancel, rs.getString("last_failure"));
    }

    private Timestamp clockNow() {
        return Timestamp.from(clock.instant());
    }

}
