package com.ltxgateway.training;

public class TrainingAlreadyFinished extends RuntimeException {

    public TrainingAlreadyFinished(String id, TrainingStatus status) {
        super("Training '" + id + "' is already " + status.wireName());
    }
}
