package com.ltxgateway.reconciliation;

import java.time.Duration;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * What waits for fal's word, to alert on: trainings whose submit is unconfirmed, and orphans whose cancel fal has not
 * confirmed (requests that may still run and be billed). Every scrape of every replica would otherwise query the
 * database, so both are sampled at most every {@link #SAMPLE_INTERVAL}.
 */
@Component
class ReconciliationMetrics implements MeterBinder {

    static final Duration SAMPLE_INTERVAL = Duration.ofSeconds(5);
    private static final Logger log = LoggerFactory.getLogger(ReconciliationMetrics.class);

    private final JdbcClient jdbc;
    private final FalOrphans orphans;
    private long sampledAt;
    private boolean sampled;
    private double unconfirmed;
    private double openCancels;

    ReconciliationMetrics(JdbcClient jdbc, FalOrphans orphans) {
        this.jdbc = jdbc;
        this.orphans = orphans;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("gateway.trainings.unconfirmed", this, metrics -> metrics.sample()[0])
                .description("Trainings whose submit may be at fal with its answer lost, waiting for fal's word or an admin")
                .register(registry);
        Gauge.builder("gateway.fal.orphan.cancels.open", this, metrics -> metrics.sample()[1])
                .description("fal requests no training follows whose cancel fal has not confirmed yet")
                .register(registry);
    }

    private synchronized double[] sample() {
        long now = System.nanoTime();
        if (!sampled || now - sampledAt >= SAMPLE_INTERVAL.toNanos()) {
            sampledAt = now;
            sampled = true;
            try {
                unconfirmed = jdbc.sql("select count(*) from training where submit_unconfirmed_at is not null").query(Long.class).single();
                openCancels = orphans.openCancels();
            }
            catch (DataAccessException e) {
                log.debug("Could not sample the reconciliation gauges: {}", e.getMessage());
                unconfirmed = Double.NaN;
                openCancels = Double.NaN;
            }
        }
        return new double[] { unconfirmed, openCancels };
    }
}
