package com.ltxgateway.webhook;

public class WebhookEndpointNotFound extends RuntimeException {

    WebhookEndpointNotFound(String id) {
        super("No webhook endpoint '" + id + "'");
    }
}
