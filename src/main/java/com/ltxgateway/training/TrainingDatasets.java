package com.ltxgateway.training;

import java.util.List;

import com.ltxgateway.access.Caller;

/**
 * Datasets uploaded to the gateway, as trainings use them ({@code "dataset_id"} instead of
 * {@code input.training_data_url}). The feature that keeps datasets implements it; without one, trainings name
 * their zip by URL only.
 */
public interface TrainingDatasets {

    /**
     * Why the caller cannot train on the dataset with {@code numberOfFrames} frames per clip: unknown or another
     * team's, invalid (its problems), or clips too short unless {@code autoScaleInput}. Empty when it can.
     */
    List<String> problems(Caller caller, String datasetId, int numberOfFrames, boolean autoScaleInput);

    /**
     * The URL fal downloads the dataset's zip from: for a live key fal's own storage, uploaded there once; for a
     * sandbox key the gateway's. Called outside any transaction: it may upload.
     */
    String trainingDataUrl(Caller caller, String datasetId);
}
