package com.ltxgateway.fal;

/** fal's answer to a cancel, taken from the response body (the HTTP status for each is not documented). */
public enum FalCancellation {
    /** Canceled before it ran. */
    OK,
    /** Running; fal will stop it and the status will turn COMPLETED. */
    CANCELLATION_REQUESTED,
    ALREADY_COMPLETED,
    NOT_FOUND
}
