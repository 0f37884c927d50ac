package com.ltxgateway.fal;

import java.net.URI;

/**
 * A request fal accepted. The URLs are the ones fal returned on submit; they are used only when they point at the
 * endpoint's own queue host, so the fal key never travels anywhere else.
 */
public record FalRequestRef(String requestId, URI statusUrl, URI responseUrl, URI cancelUrl) {

    public static FalRequestRef of(String requestId) {
        return new FalRequestRef(requestId, null, null, null);
    }
}
