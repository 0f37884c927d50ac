package com.ltxgateway.tracking;

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
 * fal's verified webhooks until they are applied ({@code fal_webhook_inbox}). Claimed like the tracker's jobs: a claim
 * takes due rows under a lease, moves {@code due_at} past it and counts it in {@code claim_count}, which the row's
 * removal names, so a claim that was taken over removes nothing of its successor's. Every time is the gateway's clock.
 */
@Component
class FalWebhookInbox {

    /** How often a delivery is tried before it is given up on: as often as fal itself delivers one. */
    static final int ATTEMPTS = 10;

    private final JdbcClient jdbc;
    private final Clock clock;

    FalWebhookInbox(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /**
     * One claim of one kept delivery.
     *
     * @param mode the training's key mode, which decides whom to ask for a result the webhook could not carry
     * @param body the delivery's body exactly as fal sent and signed it
     */
    record ClaimedWebhook(String trainingId, String requestId, String mode, byte[] body, String owner, long claim) {
    }

    /** Keeps a verified delivery, due at once; a repeat of one still kept adds nothing. */
    void keep(String trainingId, String requestId, byte[] body) {
        Timestamp now = Timestamp.from(clock.instant());
        jdbc.sql("""
                insert into fal_webhook_inbox (training_id, request_id, body, received_at, due_at) values (?, ?, ?, ?, ?)
                on conflict do nothing""")
                .params(trainingId, requestId, body, now, now)
                .update();
    }

    /** Whether fal's report on the training's request {@code requestId} is kept, waiting to be applied. */
    boolean holds(String trainingId, String requestId) {
        return jdbc.sql("select exists (select 1 from fal_webhook_inbox where training_id = ? and request_id = ?)")
                .params(trainingId, requestId)
                .query(Boolean.class)
                .single();
    }

    @Transactional
    List<ClaimedWebhook> claim(String owner, int limit, Duration lease) {
        Instant now = clock.instant();
        return jdbc.sql("""
                with claimed as (
                    update fal_webhook_inbox set lease_owner = ?, due_at = ?, claim_count = claim_count + 1
                    where (training_id, request_id) in (
                        select training_id, request_id from fal_webhook_inbox
                        where due_at <= ?
                        order by due_at
                        limit ?
                        for update skip locked)
                    returning training_id, request_id, body, claim_count)
                select claimed.*, training.mode from claimed join training on training.id = claimed.training_id""")
                .params(owner, Timestamp.from(now.plus(lease)), Timestamp.from(now), limit)
                .query((rs, n) -> new ClaimedWebhook(rs.getString("training_id"), rs.getString("request_id"),
                        rs.getString("mode"), rs.getBytes("body"), owner, rs.getLong("claim_count")))
                .list();
    }

    /** The heartbeat: keeps the claims still held out of the next claims. Claims taken over meanwhile are left alone. */
    @Transactional
    void renew(List<ClaimedWebhook> held, Duration lease) {
        moveDue(held, Timestamp.from(clock.instant().plus(lease)));
    }

    /** Joins the transaction that applied the delivery, so it is applied and gone, or neither. */
    @Transactional(propagation = Propagation.MANDATORY)
    void applied(ClaimedWebhook webhook) {
        remove(webhook);
    }

    /**
     * A claim whose apply failed: left to be applied again once its lease runs out, unless it was the last of its
     * {@link #ATTEMPTS}, when it is dropped (the tracker's polls still see the training's end). Answers whether it was.
     */
    @Transactional
    boolean failed(ClaimedWebhook webhook) {
        if (webhook.claim() < ATTEMPTS) {
            return false;
        }
        return remove(webhook);
    }

    /** Removes the delivery if this is still its latest claim: a claim taken over removes nothing of its successor's. */
    private boolean remove(ClaimedWebhook webhook) {
        return jdbc.sql("delete from fal_webhook_inbox where training_id = ? and request_id = ? and claim_count = ?")
                .params(webhook.trainingId(), webhook.requestId(), webhook.claim())
                .update() == 1;
    }

    /** A stopping instance's claims, due at once for whichever instance claims next. */
    @Transactional
    void handBack(List<ClaimedWebhook> unfinished) {
        moveDue(unfinished, Timestamp.from(clock.instant()));
    }

    private void moveDue(List<ClaimedWebhook> held, Timestamp dueAt) {
        if (held.isEmpty()) {
            return;
        }
        jdbc.sql("""
                update fal_webhook_inbox i set due_at = ?
                from unnest(cast(? as text[]), cast(? as text[]), cast(? as bigint[])) as held(training_id, request_id, claim)
                where i.training_id = held.training_id and i.request_id = held.request_id and i.claim_count = held.claim
                  and i.lease_owner = ?""")
                .params(dueAt, held.stream().map(ClaimedWebhook::trainingId).toArray(String[]::new),
                        held.stream().map(ClaimedWebhook::requestId).toArray(String[]::new),
                        held.stream().map(ClaimedWebhook::claim).toArray(Long[]::new), held.getFirst().owner())
                .update();
    }
}
