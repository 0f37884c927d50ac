package com.ltxgateway.artifact;

import com.ltxgateway.ApiProblem;

/** Only a succeeded training has outputs to keep, so only it can be pinned. */
public class TrainingNotSucceeded extends ApiProblem.Conflict {

    TrainingNotSucceeded(String trainingId, String status) {
        super("Training '" + trainingId + "' is " + status + "; only a succeeded training's outputs can be pinned");
    }
}
