package com.ltxgateway.dataset;

import com.ltxgateway.ApiProblem;
import com.ltxgateway.ProblemType;

import org.springframework.http.HttpStatus;

/** A zip over {@code gateway.datasets.max-size}: refused before or while it is read, nothing kept. */
public class DatasetTooLarge extends ApiProblem {

    DatasetTooLarge(long limit) {
        super(HttpStatus.CONTENT_TOO_LARGE, ProblemType.PAYLOAD_TOO_LARGE,
                "The dataset is larger than " + limit + " bytes (gateway.datasets.max-size)");
    }
}
