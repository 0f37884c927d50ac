package com.ltxgateway.training;

import com.ltxgateway.ApiProblem;
import com.ltxgateway.ProblemType;

import org.springframework.http.HttpStatus;

/** A request with the same Idempotency-Key is still being processed. */
public class IdempotentRequestInProgress extends ApiProblem {

    public IdempotentRequestInProgress() {
        super(HttpStatus.CONFLICT, ProblemType.IDEMPOTENT_REQUEST_IN_PROGRESS,
                "A request with this Idempotency-Key is still being processed; retry shortly");
        retryAfterSeconds(1);
    }
}
