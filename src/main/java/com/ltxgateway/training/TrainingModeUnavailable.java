package com.ltxgateway.training;

import com.ltxgateway.ApiProblem;

/** Live trainings without a fal key, or sandbox trainings with the simulator switched off. */
public class TrainingModeUnavailable extends ApiProblem.Unavailable {

    public TrainingModeUnavailable(String message) {
        super(message);
    }
}
