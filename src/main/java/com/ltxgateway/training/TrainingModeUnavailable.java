package com.ltxgateway.training;

/** Live trainings without a fal key, or sandbox trainings with the simulator switched off. */
public class TrainingModeUnavailable extends RuntimeException {

    public TrainingModeUnavailable(String message) {
        super(message);
    }
}
