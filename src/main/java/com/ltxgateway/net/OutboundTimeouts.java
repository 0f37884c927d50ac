package com.ltxgateway.net;

import java.time.Duration;

/**
 * How long an outbound call may take, and why one got no answer, for every HTTP client of the gateway (fal's queue
 * and Platform API, fal's webhook keys, team webhooks, the simulator's webhooks).
 *
 * @param connect TCP connect timeout
 * @param read how long the other end may stay silent: before its answer begins, and between two reads of its body
 */
public record OutboundTimeouts(Duration connect, Duration read) {

    /**
     * The longest one call can take: connect, then the read timeout for the answer to begin and again for its body.
     * The read timeout alone bounds only the gaps between reads, so a body trickling in could hold a caller forever;
     * each call is cut off here. A lease must outlast this between two renewals, and a stopping instance waits this
     * long for calls under way.
     */
    public Duration longestCall() {
        return connect.plus(read).plus(read);
    }

    /** Why a call got no answer, in words that are safe to store and show: never the exception's message. */
    public String reason(Throwable failure) {
        return TransportFailure.reason(failure, read, longestCall());
    }
}
