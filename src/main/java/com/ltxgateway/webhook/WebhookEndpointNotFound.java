package com.ltxgateway.webhook;

import com.ltxgateway.ApiProblem;

public class WebhookEndpointNotFound extends ApiProblem.NotFound {

    public WebhookEndpointNotFound(String id) {
        super("No webhook endpoint '" + id + "'");
    }
}
