package com.ltxgateway.fal;

import java.time.Duration;

/**
 * What a call to fal came to.
 * <ul>
 * <li>{@link Success}: fal answered as the protocol says.</li>
 * <li>{@link Rejected}: fal refused the request for good (422 validation error, other 4xx but 401/403, unknown
 * request id); retrying cannot help.</li>
 * <li>{@link Unavailable}: 429, 5xx, 401/403, connection failures, timeouts, interrupts, unreadable answers; worth
 * retrying, not before {@code retryAfter} when fal sent {@code Retry-After}.</li>
 * </ul>
 */
public sealed interface FalOutcome<T> {

    record Success<T>(T value) implements FalOutcome<T> {
    }

    record Rejected<T>(int httpStatus, FalError error) implements FalOutcome<T> {
    }

    /**
     * @param httpStatus 0 when no response arrived (connect failure, timeout)
     * @param retryAfter null when fal did not say
     * @param answerLost the request may have reached fal but its answer did not arrive or could not be read (read
     * timeout, dropped connection, interrupt, unreadable success): fal may have acted on it. Harmless for reads and
     * cancels; for a submit it means fal may hold a request the gateway does not know. False only when the request
     * provably never left (connection refused, connect timeout, unknown host, the gate stayed shut) or fal answered.
     * @param keyRefused fal answered 401 or 403: the key is wrong or was rotated, a fault of the configuration
     */
    record Unavailable<T>(int httpStatus, String reason, Duration retryAfter, boolean answerLost, boolean keyRefused)
            implements FalOutcome<T> {

        public Unavailable(int httpStatus, String reason, Duration retryAfter) {
            this(httpStatus, reason, retryAfter, false, false);
        }

        public Unavailable(int httpStatus, String reason, Duration retryAfter, boolean answerLost) {
            this(httpStatus, reason, retryAfter, answerLost, false);
        }
    }
}
