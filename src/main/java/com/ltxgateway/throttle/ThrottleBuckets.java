package com.ltxgateway.throttle;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import javax.sql.DataSource;

import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;

import org.springframework.stereotype.Component;

/**
 * Token buckets in the {@code throttle_bucket} table, taken under {@code SELECT ... FOR UPDATE}, so replicas count
 * together. A bucket that has refilled is worth nothing: its row expires then and {@link #removeExpired} deletes it.
 */
@Component
class ThrottleBuckets {

    private final PostgreSQLSelectForUpdateBasedProxyManager<String> buckets;

    ThrottleBuckets(DataSource dataSource, Clock clock) {
        this.buckets = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
                .primaryKeyMapper(PrimaryKeyMapper.STRING)
                .table("throttle_bucket")
                .idColumn("id")
                .stateColumn("state")
                .expiresAtColumn("expires_at")
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ZERO))
                .clientClock(new ClockTimeMeter(clock))
                .build();
    }

    /** Takes one attempt; empty when there was one to take, else how long until there is. */
    Optional<Duration> take(String key, Limit limit) {
        if (limit.off()) {
            return Optional.empty();
        }
        ConsumptionProbe probe = buckets.getProxy(key, limit::bucket).tryConsumeAndReturnRemaining(1);
        return probe.isConsumed() ? Optional.empty() : Optional.of(Duration.ofNanos(probe.getNanosToWaitForRefill()));
    }

    /** Returns an attempt that turned out not to count. */
    void giveBack(String key, Limit limit) {
        if (!limit.off()) {
            buckets.getProxy(key, limit::bucket).addTokens(1);
        }
    }

    /** Forgets a bucket: the next attempt finds a full one. */
    void remove(String key) {
        buckets.removeProxy(key);
    }

    int removeExpired(int batch) {
        return buckets.removeExpired(batch);
    }
}
