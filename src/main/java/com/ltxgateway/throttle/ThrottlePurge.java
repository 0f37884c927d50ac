package com.ltxgateway.throttle;

import java.time.Duration;

import io.github.bucket4j.BucketExceptions;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Deletes buckets that have refilled (they hold nothing a fresh bucket would not) and bursts that ended a day ago.
 * Every instance may run it: the buckets are deleted under {@code SKIP LOCKED}, the bursts by one statement.
 */
@Component
class ThrottlePurge {

    private static final Logger log = LoggerFactory.getLogger(ThrottlePurge.class);
    private static final int BATCH = 1_000;
    private static final Duration BURST_RETENTION = Duration.ofDays(1);

    private final ThrottleBuckets buckets;
    private final ThrottleBursts bursts;

    ThrottlePurge(ThrottleBuckets buckets, ThrottleBursts bursts) {
        this.buckets = buckets;
        this.bursts = bursts;
    }

    @Scheduled(initialDelay = 300_000, fixedDelay = 600_000)
    void run() {
        try {
            purge();
        }
        catch (DataAccessException | BucketExceptions.BucketExecutionException e) {
            log.warn("Purging refilled throttle buckets failed; the next run tries again: {}", e.getMessage());
        }
    }

    int purge() {
        int removed = 0;
        int batch;
        do {
            batch = buckets.removeExpired(BATCH);
            removed += batch;
        }
        while (batch == BATCH);
        return removed + bursts.removeEndedBefore(BURST_RETENTION);
    }
}
