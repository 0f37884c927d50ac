package com.ltxgateway.access;

import com.ltxgateway.ApiProblem;

public class ApiKeyNotFound extends ApiProblem.NotFound {

    public ApiKeyNotFound(String id) {
        super("No API key '" + id + "'");
    }
}
