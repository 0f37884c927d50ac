package com.ltxgateway.access;

import com.ltxgateway.ApiProblem;

/** A client address given as something other than an IPv4 or IPv6 address. */
class NotAnIpAddress extends ApiProblem.InvalidRequest {

    NotAnIpAddress(String given) {
        super("address", "must be an IPv4 or IPv6 address, such as 203.0.113.7 or 2001:db8::7");
    }
}
