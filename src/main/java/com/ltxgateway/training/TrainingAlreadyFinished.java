package com.ltxgateway.training;

import com.ltxgateway.ApiProblem;

public class TrainingAlreadyFinished extends ApiProblem.Conflict {

    public TrainingAlreadyFinished(String id, TrainingStatus status) {
        super("Training '" + id + "' is already " + status.wireName());
    }
}
