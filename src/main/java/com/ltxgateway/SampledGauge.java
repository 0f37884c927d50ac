package com.ltxgateway;

import java.time.Duration;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;

/**
 * A value read from the database at most once per interval, however often it is scraped: every replica's every
 * scrape would otherwise query it. While the database cannot be read the value is {@code unreadable} (NaN for a
 * gauge): no number beats a stale one, and readiness reports the outage itself.
 */
public final class SampledGauge<T> {

    private static final Logger log = LoggerFactory.getLogger(SampledGauge.class);

    private final Duration interval;
    private final Supplier<T> read;
    private final T unreadable;
    private long sampledAt;
    private boolean sampled;
    private T value;

    public SampledGauge(Duration interval, Supplier<T> read, T unreadable) {
        this.interval = interval;
        this.read = read;
        this.unreadable = unreadable;
    }

    public synchronized T get() {
        long now = System.nanoTime();
        if (sampled && now - sampledAt < interval.toNanos()) {
            return value;
        }
        sampledAt = now;
        sampled = true;
        try {
            value = read.get();
        }
        catch (DataAccessException e) {
            log.debug("Could not sample a gauge: {}", e.getMessage());
            value = unreadable;
        }
        return value;
    }
}
