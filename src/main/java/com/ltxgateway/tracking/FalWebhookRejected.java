package com.ltxgateway.tracking;

/** A delivery to the fal webhook receiver that is not a verified, fresh, consistent webhook from fal. */
public class FalWebhookRejected extends RuntimeException {

    public FalWebhookRejected(String reason) {
        super(reason);
    }
}
