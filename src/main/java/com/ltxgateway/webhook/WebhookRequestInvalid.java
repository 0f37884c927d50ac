package com.ltxgateway.webhook;

import java.util.List;

import com.ltxgateway.training.FieldViolation;

/** A webhook endpoint registration broke a rule; it names every violation. */
public class WebhookRequestInvalid extends RuntimeException {

    private final List<FieldViolation> violations;

    WebhookRequestInvalid(List<FieldViolation> violations) {
        super("The webhook endpoint is invalid");
        this.violations = List.copyOf(violations);
    }

    public List<FieldViolation> violations() {
        return violations;
    }
}
