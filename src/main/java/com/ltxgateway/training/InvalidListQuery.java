package com.ltxgateway.training;

/** A list query parameter is malformed; {@code parameter} names it. */
public class InvalidListQuery extends RuntimeException {

    private final String parameter;

    public InvalidListQuery(String parameter, String message) {
        super(message);
        this.parameter = parameter;
    }

    public String parameter() {
        return parameter;
    }
}
