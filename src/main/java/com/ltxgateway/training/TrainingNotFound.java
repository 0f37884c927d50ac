package com.ltxgateway.training;

/** Unknown, or another team's: the two are indistinguishable on purpose. */
public class TrainingNotFound extends RuntimeException {

    public TrainingNotFound(String id) {
        super("No training '" + id + "'");
    }
}
