package com.ltxgateway.tracking;

import com.ltxgateway.ApiProblem;
import com.ltxgateway.ProblemType;

import org.springframework.http.HttpStatus;

/**
 * More of fal's deliveries arrived at once than the instance takes: this one is refused before anything is read, for
 * fal to deliver again. Nothing is lost meanwhile; the tracker polls every training anyway.
 */
public class FalWebhooksBusy extends ApiProblem {

    public FalWebhooksBusy() {
        super(HttpStatus.SERVICE_UNAVAILABLE, ProblemType.SERVICE_UNAVAILABLE,
                "Too many webhook deliveries are being received at once; deliver again shortly");
        retryAfterSeconds(1);
    }
}
