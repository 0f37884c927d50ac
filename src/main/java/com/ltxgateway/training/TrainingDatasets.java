package com.ltxgateway.training;

import java.util.List;
import java.util.Optional;

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

    /**
     * The dataset a URL of the gateway names ({@code <public URL>/v1/datasets/{id}/file}, as fal's storage protocol
     * on the proxy facade hands it out), so that a training naming it by URL trains on the dataset.
     */
    Optional<String> datasetOf(String url);

    /**
     * Downloads the zip at {@code url} (through the outbound address policy, within the dataset size limit) and
     * inspects it as an upload is inspected, keeping nothing: what fal would find wrong with it.
     */
    Preflight preflight(String url, int numberOfFrames, boolean autoScaleInput);

    /**
     * What a pre-flight found.
     *
     * @param status {@code ready}, or {@code invalid} with the problems
     * @param sizeBytes the zip's size; null when it could not be downloaded
     * @param sha256 its SHA-256; null when it could not be downloaded
     * @param clips how many video clips it holds
     * @param captions how many captions pair with a clip
     * @param shortestClipFrames the fewest frames of a clip whose frames were counted
     */
    record Preflight(String status, Long sizeBytes, String sha256, int clips, int captions, Integer shortestClipFrames,
            List<Problem> problems) {
    }

    /** @param path the zip entry it is about; empty for the zip or its URL as a whole */
    record Problem(String path, String message) {
    }
}
