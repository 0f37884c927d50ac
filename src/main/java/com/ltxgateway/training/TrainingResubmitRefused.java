package com.ltxgateway.training;

import com.ltxgateway.ApiProblem;

/** A resubmit was asked for a training whose submit is not unconfirmed: there is nothing to decide. */
public class TrainingResubmitRefused extends ApiProblem.Conflict {

    TrainingResubmitRefused(String id, TrainingStatus status, SubmissionState submission) {
        super(message(id, status, submission));
    }

    private static String message(String id, TrainingStatus status, SubmissionState submission) {
        if (status != TrainingStatus.PENDING) {
            return "Training " + id + " is " + status.wireName() + ": fal has its request, there is nothing to resubmit";
        }
        return switch (submission) {
            case NONE -> "Training " + id + " has no unconfirmed submit: it is submitted as soon as fal takes it";
            case IN_FLIGHT -> "Training " + id + " is being submitted right now; ask again if its answer is lost";
            default -> "Training " + id + " has no unconfirmed submit";
        };
    }
}
