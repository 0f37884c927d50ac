package com.ltxgateway.dataset;

import com.ltxgateway.ApiProblem;

/** Every inspection slot of the instance stayed busy while the upload waited; nothing was kept. */
public class DatasetInspectionsBusy extends ApiProblem.Unavailable {

    DatasetInspectionsBusy() {
        super("Too many datasets are being inspected right now; upload again shortly");
        retryAfterSeconds(10);
    }
}
