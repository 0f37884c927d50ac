package com.ltxgateway.throttle;

import java.time.Duration;

/**
 * A throttled attempt.
 *
 * @param retryAfter when the next attempt would be allowed: at least one second
 * @param firstOfBurst the first refusal after a quiet window, the one worth an audit row; the rest of the burst is
 * only counted
 */
public record Refusal(Duration retryAfter, boolean firstOfBurst) {

    /** Whole seconds, rounded up, for a {@code Retry-After} header. */
    public long retryAfterSeconds() {
        return Math.max(1, retryAfter.toSeconds() + (retryAfter.toNanosPart() > 0 ? 1 : 0));
    }
}
