package com.ltxgateway.audit;

/** The audit-log query parameters are out of range or malformed. */
public class InvalidAuditQuery extends RuntimeException {

    public InvalidAuditQuery(String message) {
        super(message);
    }
}
