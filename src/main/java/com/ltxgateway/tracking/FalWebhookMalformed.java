package com.ltxgateway.tracking;

/** A verified fal webhook whose body cannot be read as one. */
public class FalWebhookMalformed extends RuntimeException {

    public FalWebhookMalformed(String reason) {
        super(reason);
    }
}
