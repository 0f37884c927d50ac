package com.ltxgateway.webhook;

import com.ltxgateway.ApiProblem;

/** A delivery cannot be redelivered now: an attempt is under way, or its endpoint no longer takes deliveries. */
public class WebhookDeliveryConflict extends ApiProblem.Conflict {

    WebhookDeliveryConflict(String message) {
        super(message);
    }
}
