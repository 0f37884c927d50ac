package com.ltxgateway.fal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;

/** Times each call of one fal adapter by operation and outcome, and logs it at debug level. */
final class FalCallMetrics {

    private final String name;
    private final String description;
    private final Duration[] latencyBuckets;
    private final MeterRegistry meters;
    private final Logger log;

    /** @param latencyBuckets fixed buckets keep the series few; none for a meter without them */
    FalCallMetrics(String name, String description, Duration[] latencyBuckets, MeterRegistry meters, Logger log) {
        this.name = name;
        this.description = description;
        this.latencyBuckets = latencyBuckets;
        this.meters = meters;
        this.log = log;
    }

    /**
     * Makes the call and records it.
     *
     * @param describe a short, loggable line for the outcome (never with a key in it)
     */
    <T> FalOutcome<T> record(String operation, Tags tags, Supplier<FalOutcome<T>> call, Function<FalOutcome<T>, String> describe) {
        long started = System.nanoTime();
        FalOutcome<T> outcome = call.get();
        long latency = System.nanoTime() - started;
        Timer.builder(name)
                .description(description)
                .tag("operation", operation)
                .tag("outcome", switch (outcome) {
                    case FalOutcome.Success<T> s -> "success";
                    case FalOutcome.Rejected<T> r -> "rejected";
                    case FalOutcome.Unavailable<T> u -> "unavailable";
                })
                .tags(tags)
                .serviceLevelObjectives(latencyBuckets)
                .register(meters)
                .record(latency, TimeUnit.NANOSECONDS);
        if (log.isDebugEnabled()) {
            log.debug("fal {} {} latency={}ms", operation, describe.apply(outcome), Duration.ofNanos(latency).toMillis());
        }
        return outcome;
    }
}
