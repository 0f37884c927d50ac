package com.ltxgateway.reconciliation;

/** A query parameter of the orphan list that is not one it takes. */
public class InvalidOrphanQuery extends RuntimeException {

    private final String parameter;

    InvalidOrphanQuery(String parameter, String message) {
        super(message);
        this.parameter = parameter;
    }

    public String parameter() {
        return parameter;
    }
}
