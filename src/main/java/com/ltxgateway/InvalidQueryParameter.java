package com.ltxgateway;

/** A query parameter of a list endpoint that the endpoint does not take, or a value out of its range. */
public final class InvalidQueryParameter extends ApiProblem.InvalidRequest {

    public InvalidQueryParameter(String parameter, String message) {
        super(parameter, message);
    }
}
