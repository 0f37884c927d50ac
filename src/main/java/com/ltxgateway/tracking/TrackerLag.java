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
 * How far the trackers are behind: the seconds the most overdue job has been waiting to be claimed (claimed jobs are
 * not due, as a claim moves their due time to the lease end, so a job counts again once its lease has run out unseen),
 * and the seconds the oldest of fal's webhooks has been kept without being applied. Every scrape of every replica
 * would otherwise query the database, so the values are sampled at most every {@link #SAMPLE_INTERVAL}.
 */
@Component
class TrackerLag implements MeterBinder {

    static final Duration SAMPLE_INTERVAL = Duration.ofSeconds(5);

    private final SampledGauge<Double> lag;
    private final SampledGauge<Double> webhooksWaiting;

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
        this.webhooksWaiting = new SampledGauge<>(SAMPLE_INTERVAL, () -> jdbc.sql("""
                select coalesce(extract(epoch from cast(? as timestamptz) - min(received_at)), 0)::float8
                from fal_webhook_inbox""")
                .param(Timestamp.from(clock.instant()))
                .query(Double.class)
                .single(), Double.NaN);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("gateway.tracker.lag", this, TrackerLag::seconds)
                .description("Seconds the most overdue tracking job has waited to be claimed")
                .baseUnit("seconds")
                .register(registry);
        Gauge.builder("gateway.tracker.webhooks.waiting", this, TrackerLag::webhooksWaitingSeconds)
                .description("Seconds the oldest of fal's verified webhooks has been kept without being applied")
                .baseUnit("seconds")
                .register(registry);
    }

    double seconds() {
        return lag.get();
    }

    double webhooksWaitingSeconds() {
        return webhooksWaiting.get();
    }
}
