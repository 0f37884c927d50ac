package com.ltxgateway.fal;

import java.time.Duration;

/**
 * What a call to fal came to.
 * <ul>
 * <li>{@link Success}: fal answered as the protocol says.</li>
 * <li>{@link Rejected}: fal refused the request for good (422 validation error, other 4xx, unknown request id);
 * retrying cannot help.</li>
 * <li>{@link Unavailable}: 429, 5xx infrastructure errors, connection failures and timeouts; worth retrying,
 * not before {@code retryAfter} when fal sent {@code Retry-After}.</li>
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
     * @param answerLost the request went out but its answer was lost (read timeout, connection dropped, unreadable
     * success): fal may have acted on it. Harmless for reads and cancels; for a submit it means fal may hold a
     * request the gateway does not know.
     */
    record Unavailable<T>(int httpStatus, String reason, Duration retryAfter, boolean answerLost) implements FalOutcome<T> {

        public Unavailable(int httpStatus, String reason, Duration retryAfter) {
            this(httpStatus, reason, retryAfter, false);
        }
    }
}
