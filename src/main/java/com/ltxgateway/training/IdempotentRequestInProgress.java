package com.ltxgateway.training;

/** A request with the same Idempotency-Key is still being processed. */
public class IdempotentRequestInProgress extends RuntimeException {

    public IdempotentRequestInProgress() {
        super("A request with this Idempotency-Key is still being processed; retry shortly");
    }
}
