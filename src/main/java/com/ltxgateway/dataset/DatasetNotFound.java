package com.ltxgateway.dataset;

import com.ltxgateway.ApiProblem;

/** Unknown, deleted, or another team's: indistinguishable on purpose. */
public class DatasetNotFound extends ApiProblem.NotFound {

    public DatasetNotFound(String id) {
        super("No dataset '" + id + "'");
    }
}
