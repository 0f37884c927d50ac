package com.ltxgateway.webhook;

import java.util.List;

import com.ltxgateway.ApiProblem;
import com.ltxgateway.FieldViolation;

/** A webhook endpoint registration broke a rule; it names every violation. */
public class WebhookRequestInvalid extends ApiProblem.InvalidRequest {

    WebhookRequestInvalid(List<FieldViolation> violations) {
        super(violations);
    }
}
