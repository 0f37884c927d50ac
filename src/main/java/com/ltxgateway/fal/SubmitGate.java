package com.ltxgateway.fal;

/**
 * Asked by {@link FalQueue#submit} right before the submit is written to an open connection. Opening it is the last
 * moment the caller can record that fal may now hold the request: a process that dies before the gate opened has sent
 * nothing, one that dies after it may have.
 */
@FunctionalInterface
public interface SubmitGate {

    SubmitGate ALWAYS_OPEN = () -> true;

    /** Returns whether the submit may be sent; may block. */
    boolean open();
}
