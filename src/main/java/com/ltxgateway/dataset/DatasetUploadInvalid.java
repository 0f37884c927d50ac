package com.ltxgateway.dataset;

import com.ltxgateway.ApiProblem;

/** An upload that is no dataset at all: no body, not a zip, a zip cut short, a file name that cannot be kept. */
public class DatasetUploadInvalid extends ApiProblem.InvalidRequest {

    DatasetUploadInvalid(String field, String message) {
        super(field, message);
    }
}
