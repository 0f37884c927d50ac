package com.ltxgateway.tracking;

/** This instance's claim on a training ran out and may be another's now: the step changes nothing more. */
class ClaimExpired extends RuntimeException {

    ClaimExpired(String trainingId) {
        super("the claim on training " + trainingId + " is no longer held", null, false, false);
    }
}
