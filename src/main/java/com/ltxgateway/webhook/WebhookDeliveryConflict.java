package com.ltxgateway.webhook;

/** A delivery cannot be redelivered now: an attempt is under way, or its endpoint no longer takes deliveries. */
public class WebhookDeliveryConflict extends RuntimeException {

    WebhookDeliveryConflict(String message) {
        super(message);
    }
}
