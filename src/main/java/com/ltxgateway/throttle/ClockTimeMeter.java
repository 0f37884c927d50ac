package com.ltxgateway.throttle;

import java.time.Clock;
import java.time.Instant;

import io.github.bucket4j.TimeMeter;

/** The application's clock as Bucket4j's: the same time on every replica, and a clock tests can move. */
final class ClockTimeMeter implements TimeMeter {

    private final Clock clock;

    ClockTimeMeter(Clock clock) {
        this.clock = clock;
    }

    @Override
    public long currentTimeNanos() {
        Instant now = clock.instant();
        return Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000_000L), now.getNano());
    }

    @Override
    public boolean isWallClockBased() {
        return true;
    }
}
