package com.ltxgateway.webhook;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;

import com.ltxgateway.AdvisoryLocks;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Purges finished deliveries (delivered or failed) older than {@code gateway.webhooks.retention}, with their attempts,
 * once their training has finished too, a batch at a time. One instance at a time: a run holds an advisory lock the
 * others find taken and skip.
 */
@Component
class WebhookRetention {

    private static final Logger log = LoggerFactory.getLogger(WebhookRetention.class);
    private static final int BATCH = 500;

    private final JdbcClient jdbc;
    private final WebhookProperties properties;
    private final TransactionTemplate transactions;
    private final Clock clock;

    WebhookRetention(JdbcClient jdbc, WebhookProperties properties, TransactionTemplate transactions, Clock clock) {
        this.jdbc = jdbc;
        this.properties = properties;
        this.transactions = transactions;
        this.clock = clock;
    }

    @Scheduled(initialDelay = 120_000, fixedDelay = 3_600_000)
    void run() {
        try {
            purge();
        }
        catch (DataAccessException e) {
            log.warn("Purging old webhook deliveries failed; the next run tries again: {}", e.getMessage());
        }
    }

    /** Deletes every finished delivery older than the retention, with its attempts; returns how many. */
    int purge() {
        Timestamp before = Timestamp.from(clock.instant().minus(properties.retention()));
        int purged = 0;
        int batch;
        do {
            batch = transactions.execute(tx -> {
                if (!AdvisoryLocks.tryForTransaction(jdbc, "webhook:retention")) {
                    return 0;
                }
                List<String> old = jdbc.sql("""
                        select d.id from webhook_delivery d left join training t on t.id = d.training_id
                        where d.status <> 'pending' and coalesce(d.finished_at, d.created_at) < ?
                          and (t.id is null or t.status in ('succeeded', 'failed', 'canceled'))
                        limit ?""")
                        .params(before, BATCH).query(String.class).list();
                if (!old.isEmpty()) {
                    String[] ids = old.toArray(String[]::new);
                    jdbc.sql("delete from webhook_attempt where delivery_id = any(?)").param(ids).update();
                    jdbc.sql("delete from webhook_delivery where id = any(?)").param(ids).update();
                }
                return old.size();
            });
            purged += batch;
        }
        while (batch == BATCH);
        if (purged > 0) {
            log.info("Purged {} webhook deliveries finished more than {} ago", purged, properties.retention());
        }
        return purged;
    }
}
