package com.ltxgateway.webhook;

public class WebhookDeliveryNotFound extends RuntimeException {

    WebhookDeliveryNotFound(String id) {
        super("No webhook delivery '" + id + "'");
    }
}
