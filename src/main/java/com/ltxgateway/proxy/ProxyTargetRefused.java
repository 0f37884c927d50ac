package com.ltxgateway.proxy;

import com.ltxgateway.ApiProblem;
import com.ltxgateway.ProblemType;

import org.springframework.http.HttpStatus;

/** The proxy was asked for something other than fal's queue calls on the gateway's endpoint. */
public class ProxyTargetRefused extends ApiProblem {

    ProxyTargetRefused(String message) {
        super(HttpStatus.BAD_REQUEST, ProblemType.VALIDATION, "Not served through the proxy", message);
    }
}
