package com.ltxgateway.training;

import com.ltxgateway.ApiProblem;

/** Unknown, or another team's: the two are indistinguishable on purpose. */
public class TrainingNotFound extends ApiProblem.NotFound {

    public TrainingNotFound(String id) {
        super("No training '" + id + "'");
    }
}
