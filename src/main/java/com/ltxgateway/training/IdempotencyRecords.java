package com.ltxgateway.training;

import java.nio.ByteBuffer;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import com.ltxgateway.AdvisoryLocks;
import com.ltxgateway.Hashing;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Responses stored under a team's Idempotency-Key, per key mode (a sandbox key never sees a live answer). A
 * transaction-scoped advisory lock on (team, mode, key) tells a
 * request that the same key is being processed right now (409) without waiting for it, and is released by
 * PostgreSQL whatever happens to the instance holding it.
 */
@Component
class IdempotencyRecords implements SchedulingConfigurer {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyRecords.class);

    private final JdbcClient jdbc;
    private final IdempotencyProperties properties;
    private final TransactionTemplate transactions;
    private final Clock clock;

    IdempotencyRecords(JdbcClient jdbc, IdempotencyProperties properties, TransactionTemplate transactions, Clock clock) {
        this.jdbc = jdbc;
        this.properties = properties;
        this.transactions = transactions;
        this.clock = clock;
    }

    @Transactional(propagation = Propagation.MANDATORY)
    boolean tryLock(UUID teamId, String mode, String key) {
        long lockId = ByteBuffer.wrap(Hashing.sha256(teamId + "\n" + mode + "\n" + key)).getLong();
        return Boolean.TRUE.equals(jdbc.sql("select pg_try_advisory_xact_lock(?)").param(lockId).query(Boolean.class).single());
    }

    @Transactional(propagation = Propagation.MANDATORY)
    Optional<StoredResponse> find(UUID teamId, String mode, String key) {
        return jdbc.sql("""
                select request_sha256, body_sha256, training_id, response_status, response_body from idempotency_record
                where team_id = ? and mode = ? and idempotency_key = ? and created_at > ?""")
                .params(teamId, mode, key, Timestamp.from(clock.instant().minus(properties.retention())))
                .query((rs, n) -> new StoredResponse(rs.getBytes(1), rs.getBytes(2), rs.getString(3), rs.getInt(4), rs.getString(5)))
                .optional();
    }

    /** Replaces an expired record for the same key, which {@link #find} no longer returns. */
    @Transactional(propagation = Propagation.MANDATORY)
    void save(UUID teamId, String mode, String key, byte[] requestSha256, byte[] bodySha256, String trainingId, int status, String body) {
        jdbc.sql("""
                insert into idempotency_record
                    (team_id, mode, idempotency_key, request_sha256, body_sha256, training_id, response_status, response_body, created_at)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?)
                on conflict (team_id, mode, idempotency_key) do update set request_sha256 = excluded.request_sha256,
                    body_sha256 = excluded.body_sha256, training_id = excluded.training_id,
                    response_status = excluded.response_status, response_body = excluded.response_body,
                    created_at = excluded.created_at""")
                .params(teamId, mode, key, requestSha256, bodySha256, trainingId, status, body, Timestamp.from(clock.instant()))
                .update();
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar tasks) {
        tasks.addFixedDelayTask(new FixedDelayTask(this::purgeExpired, properties.purgeInterval(), Duration.ofMinutes(1)));
    }

    /** One instance at a time: the others find the purge's advisory lock taken and skip the run. */
    void purgeExpired() {
        int purged = transactions.execute(tx -> AdvisoryLocks.tryForTransaction(jdbc, "idempotency:purge")
                ? jdbc.sql("delete from idempotency_record where created_at < ?")
                        .param(Timestamp.from(clock.instant().minus(properties.retention())))
                        .update()
                : 0);
        if (purged > 0) {
            log.info("Purged {} expired idempotency records", purged);
        }
    }

    /**
     * @param requestSha256 the validated request's fingerprint (defaults applied, keys in order)
     * @param bodySha256 the body's as sent, keys sorted; null for records of an earlier release
     */
    record StoredResponse(byte[] requestSha256, byte[] bodySha256, String trainingId, int status, String body) {
    }
}
