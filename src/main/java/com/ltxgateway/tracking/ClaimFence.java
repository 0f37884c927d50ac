package com.ltxgateway.tracking;

import com.ltxgateway.tracking.TrackingJobs.ClaimedJob;
import com.ltxgateway.training.Fence;

/** Lets a change through only while the claim that asks for it still holds its lease. */
record ClaimFence(TrackingJobs jobs, ClaimedJob job) implements Fence {

    @Override
    public void check() {
        if (!jobs.holds(job)) {
            throw new ClaimExpired(job.trainingId());
        }
    }
}
