package com.ltxgateway.dataset;

import com.ltxgateway.ApiProblem;

/** fal's storage did not take the dataset's zip; nothing was created, and the same request can be sent again. */
public class DatasetUploadToFalFailed extends ApiProblem.Unavailable {

    DatasetUploadToFalFailed(String datasetId, String reason) {
        super("Dataset '" + datasetId + "' could not be uploaded to fal's storage (" + reason + "); nothing was created, try again");
        retryAfterSeconds(30);
    }
}
