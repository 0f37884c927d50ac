package com.ltxgateway.reconciliation;

import java.time.Duration;

import com.ltxgateway.SampledGauge;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

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

    private final SampledGauge<double[]> counts;

    ReconciliationMetrics(JdbcClient jdbc, FalOrphans orphans) {
        this.counts = new SampledGauge<>(SAMPLE_INTERVAL, () -> new double[] {
                jdbc.sql("select count(*) from training where submit_unconfirmed_at is not null").query(Long.class).single(),
                orphans.openCancels() }, new double[] { Double.NaN, Double.NaN });
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("gateway.trainings.unconfirmed", this, metrics -> metrics.counts.get()[0])
                .description("Trainings whose submit may be at fal with its answer lost, waiting for fal's word or an admin")
                .register(registry);
        Gauge.builder("gateway.fal.orphan.cancels.open", this, metrics -> metrics.counts.get()[1])
                .description("fal requests no training follows whose cancel fal has not confirmed yet")
                .register(registry);
    }
}
