package com.ltxgateway.throttle;

import java.time.Duration;

import io.github.bucket4j.BucketConfiguration;

/** {@code attempts} per {@code window}, refilled evenly; none when attempts is zero. */
record Limit(int attempts, Duration window) {

    boolean off() {
        return attempts <= 0;
    }

    BucketConfiguration bucket() {
        return BucketConfiguration.builder()
                .addLimit(limit -> limit.capacity(attempts).refillGreedy(attempts, window))
                .build();
    }
}
