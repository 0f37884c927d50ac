package com.ltxgateway.fal;

import java.net.URI;

/**
 * Where a call goes and with which key: fal itself for live trainings, the built-in simulator for sandbox ones.
 *
 * @param queueUrl base of the queue API, e.g. {@code https://queue.fal.run}
 * @param endpointId model id, e.g. {@code fal-ai/ltx23-trainer-v2/interpolate}
 * @param key sent as {@code Authorization: Key <key>}; never logged
 */
public record FalEndpoint(URI queueUrl, String endpointId, String key) {

    @Override
    public String toString() {
        return "FalEndpoint[" + queueUrl + "/" + endpointId + "]";
    }
}
