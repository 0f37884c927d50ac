package com.ltxgateway.training;

import com.ltxgateway.ApiProblem;
import com.ltxgateway.ProblemType;

import org.springframework.http.HttpStatus;

/** The Idempotency-Key was used before with a different request body. */
public class IdempotencyKeyReused extends ApiProblem {

    public IdempotencyKeyReused() {
        super(HttpStatus.UNPROCESSABLE_CONTENT, ProblemType.IDEMPOTENCY_KEY_REUSED,
                "This Idempotency-Key was already used with a different request body");
    }
}
