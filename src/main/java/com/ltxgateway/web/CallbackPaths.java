package com.ltxgateway.web;

/**
 * Where services the gateway asked to report back call it (fal's webhooks). Nobody waits for those answers, so they
 * do not make the instance one that is serving callers ({@link RequestsInFlight}).
 *
 * @param prefix the paths' common start, e.g. {@code /fal/webhooks/}
 */
public record CallbackPaths(String prefix) {
}
