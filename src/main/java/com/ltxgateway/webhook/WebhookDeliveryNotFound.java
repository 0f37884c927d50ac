package com.ltxgateway.webhook;

import com.ltxgateway.ApiProblem;

public class WebhookDeliveryNotFound extends ApiProblem.NotFound {

    WebhookDeliveryNotFound(String id) {
        super("No webhook delivery '" + id + "'");
    }
}
