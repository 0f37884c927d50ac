package com.ltxgateway;

/**
 * MDC keys the gateway's log lines carry, so that structured logs can be searched by request, training and fal
 * request. The names are the JSON field names of the structured formats.
 */
public final class LogFields {

    public static final String REQUEST_ID = "request_id";
    public static final String TRAINING_ID = "training_id";
    public static final String FAL_REQUEST_ID = "fal_request_id";

    private LogFields() {
    }
}
