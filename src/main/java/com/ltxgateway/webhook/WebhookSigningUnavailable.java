package com.ltxgateway.webhook;

import com.ltxgateway.ApiProblem;

/** No {@code gateway.webhooks.encryption-key} is configured, so signing secrets can be neither stored nor read. */
public class WebhookSigningUnavailable extends ApiProblem.Unavailable {

    WebhookSigningUnavailable() {
        super("Webhook signing secrets are unavailable: the gateway has no gateway.webhooks.encryption-key configured");
    }
}
