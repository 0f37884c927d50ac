package com.ltxgateway.tracking;

import com.ltxgateway.ApiProblem;
import com.ltxgateway.ProblemType;

import org.springframework.http.HttpStatus;

/** A verified fal webhook whose body cannot be read as one. */
public class FalWebhookMalformed extends ApiProblem {

    public FalWebhookMalformed(String reason) {
        super(HttpStatus.BAD_REQUEST, ProblemType.MALFORMED_REQUEST, "The webhook body is not a fal webhook: " + reason);
    }
}
