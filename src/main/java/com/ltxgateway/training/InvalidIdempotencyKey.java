package com.ltxgateway.training;

public class InvalidIdempotencyKey extends RuntimeException {

    public InvalidIdempotencyKey() {
        super("Idempotency-Key must be 1 to 255 visible ASCII characters");
    }
}
