package com.ltxgateway.access;

import com.ltxgateway.ApiProblem;

/** The caller's address has sent too many unknown API keys lately; none of its keys is looked at for now. */
class UnknownApiKeysThrottled extends ApiProblem.TooManyRequests {

    UnknownApiKeysThrottled(long retryAfterSeconds) {
        super("Too many requests with unknown API keys from this address; try again in " + retryAfterSeconds
                + " seconds", retryAfterSeconds);
    }
}
