package com.ltxgateway.net;

/**
 * An outbound call that got no answer.
 *
 * @see OutboundTimeouts#reason(Throwable) the words of {@link #reason()}
 */
public class OutboundCallFailed extends RuntimeException {

    private final String reason;
    private final boolean refused;

    OutboundCallFailed(String reason, boolean refused, Throwable cause) {
        // The cause's message may hold a URL with credentials in it: only the reason is the message.
        super(reason, cause);
        this.reason = reason;
        this.refused = refused;
    }

    /** Why, in words that are safe to store and show. */
    public String reason() {
        return reason;
    }

    /** The outbound URL policy refused the address, so nothing was sent. */
    public boolean refused() {
        return refused;
    }
}
