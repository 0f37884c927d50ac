package com.ltxgateway.dataset;

import com.ltxgateway.ApiProblem;

/** Trainings that have not finished train on the dataset: fal may still download its zip. */
public class DatasetInUse extends ApiProblem.Conflict {

    DatasetInUse(String id, long trainings) {
        super("Dataset '" + id + "' is used by " + trainings + " training" + (trainings == 1 ? "" : "s")
                + " that have not finished; delete it once they have");
    }
}
