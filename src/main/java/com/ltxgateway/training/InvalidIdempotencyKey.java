package com.ltxgateway.training;

import com.ltxgateway.ApiProblem;

public class InvalidIdempotencyKey extends ApiProblem.InvalidRequest {

    public InvalidIdempotencyKey() {
        super("Idempotency-Key", "Idempotency-Key must be 1 to 255 visible ASCII characters");
    }
}
