package com.ltxgateway.webhook;

import com.ltxgateway.ApiProblem;

public class WebhookEndpointNotFound extends ApiProblem.NotFound {

    WebhookEndpointNotFound(String id) {
        super("No webhook endpoint '" + id + "'");
    }
}
