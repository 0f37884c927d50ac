package com.ltxgateway.tracking;

import com.ltxgateway.ApiProblem;
import com.ltxgateway.ProblemType;

import org.springframework.http.HttpStatus;

/**
 * A delivery to the fal webhook receiver that is not a verified, fresh, consistent webhook from fal. The answer names
 * no failed check, so a forger learns nothing; the receiver logs which one it was.
 */
public class FalWebhookRejected extends ApiProblem {

    public FalWebhookRejected() {
        super(HttpStatus.UNAUTHORIZED, ProblemType.UNAUTHENTICATED,
                "The delivery is not a fal webhook signed within the accepted time");
    }
}
