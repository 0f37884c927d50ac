package com.ltxgateway.training;

/** The Idempotency-Key was used before with a different request body. */
public class IdempotencyKeyReused extends RuntimeException {

    public IdempotencyKeyReused() {
        super("This Idempotency-Key was already used with a different request body");
    }
}
