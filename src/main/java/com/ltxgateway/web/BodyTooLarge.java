package com.ltxgateway.web;

import java.io.IOException;

/** Thrown from inside the body stream, so the JSON parser stops reading at the limit. */
class BodyTooLarge extends IOException {

    BodyTooLarge(long limit) {
        super("The request body is larger than " + limit + " bytes");
    }
}
