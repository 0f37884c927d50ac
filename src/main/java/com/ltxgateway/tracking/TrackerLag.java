package com.ltxgateway.tracking;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;

import com.ltxgateway.SampledGauge;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * How far the trackers are behind: the seconds the most overdue job has been waiting to be claimed. Claimed jobs are
 * not due (a claim moves their due time to the lease end), so a job counts again once its lease has run out unseen.
 * Every scrape of every replica would otherwise query the database, so the value is sampled at most every
 * {@link #SAMPLE_INTERVAL}.
 */
@Component
class TrackerLag implements MeterBinder {

    static final Duration SAMPLE_INTERVAL = Duration.ofSeconds(5);

    private final SampledGauge<Double> lag;

    TrackerLag(JdbcClient jdbc, Clock clock) {
        this.lag = new SampledGauge<>(SAMPLE_INTERVAL, () -> {
            Timestamp now = Timestamp.from(clock.instant());
            return jdbc.sql("""
                    select coalesce(extract(epoch from cast(? as timestamptz) - min(due_at)), 0)::float8
                    from tracking_job where due_at <= ?""")
                    .params(now, now)
                    .query(Double.class)
                    .single();
        }, Double.NaN);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("gateway.tracker.lag", this, TrackerLag::seconds)
                .description("Seconds the most overdue tracking job has waited to be claimed")
                .baseUnit("seconds")
                .register(registry);
    }

    double seconds() {
        return lag.get();
    }
}
