package com.ltxgateway.training;

import java.net.URI;

/**
 * The request at fal a training follows: its id and the URLs fal returned on submit (null when the request was
 * adopted from a webhook or fal's listing, which name none).
 */
public record FalRequest(String requestId, URI statusUrl, URI responseUrl, URI cancelUrl) {
}
