package com.ltxgateway.training;

/**
 * Whether the caller may still act for a training. A change that takes a fence checks it inside its transaction,
 * after the training's row is locked, so a caller whose claim on the training was taken over changes nothing.
 * Implementations throw their own exception when the fence does not hold.
 */
@FunctionalInterface
public interface Fence {

    /**
     * For reports that carry their own evidence (a verified fal webhook, fal's request listing, an admin's decision):
     * they are applied whoever holds a claim.
     */
    Fence NONE = () -> {
    };

    void check();
}
