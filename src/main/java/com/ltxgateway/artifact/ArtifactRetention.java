package com.ltxgateway.artifact;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Deletes the gateway's copies older than {@code gateway.artifacts.retention} (unset: kept forever), except those of
 * pinned trainings: from the store
 * first, then the row, a batch at a time under row locks that other instances skip. A run cut short leaves rows whose
 * objects may be gone already; the next run deletes them again, which changes nothing in the store.
 */
@Component
class ArtifactRetention {

    private static final Logger log = LoggerFactory.getLogger(ArtifactRetention.class);
    private static final int BATCH = 100;

    private final JdbcClient jdbc;
    private final ArtifactStore store;
    private final ArtifactProperties properties;
    private final TransactionTemplate transactions;
    private final Clock clock;

    ArtifactRetention(JdbcClient jdbc, ArtifactStore store, ArtifactProperties properties, TransactionTemplate transactions, Clock clock) {
        this.jdbc = jdbc;
        this.store = store;
        this.properties = properties;
        this.transactions = transactions;
        this.clock = clock;
    }

    @Scheduled(initialDelay = 60_000, fixedDelay = 600_000)
    void run() {
        try {
            deleteExpired();
        }
        catch (DataAccessException | ArtifactStoreFailed e) {
            log.warn("Deleting expired output copies failed; the next run tries again: {}", e.getMessage());
        }
    }

    private record Expired(String trainingId, String name) {
    }

    /** Deletes every copy stored before the retention; returns how many. */
    int deleteExpired() {
        Duration retention = properties.retention();
        if (retention == null) {
            return 0;
        }
        Timestamp before = Timestamp.from(clock.instant().minus(retention));
        int deleted = 0;
        int batch;
        do {
            batch = transactions.execute(tx -> {
                List<Expired> expired = jdbc.sql("""
                        select training_id, name from output_copy
                        where state = 'stored' and settled_at < ?
                          and not exists (select 1 from output_pin pin where pin.training_id = output_copy.training_id)
                        order by settled_at
                        limit ?
                        for update skip locked""")
                        .params(before, BATCH)
                        .query((rs, n) -> new Expired(rs.getString("training_id"), rs.getString("name")))
                        .list();
                for (Expired copy : expired) {
                    store.delete(ArtifactKey.of(copy.trainingId(), copy.name()));
                    jdbc.sql("delete from output_copy where training_id = ? and name = ?").params(copy.trainingId(), copy.name()).update();
                }
                return expired.size();
            });
            deleted += batch;
        }
        while (batch == BATCH);
        if (deleted > 0) {
            log.info("Deleted {} output copies stored more than {} ago", deleted, retention);
        }
        return deleted;
    }
}
