package com.ltxgateway.training;

import java.util.List;

import com.ltxgateway.ApiProblem;
import com.ltxgateway.FieldViolation;

/** A training request broke the input contract; it names every violation so the caller can fix all in one go. */
public class TrainingRequestInvalid extends ApiProblem.InvalidRequest {

    public TrainingRequestInvalid(List<FieldViolation> violations) {
        super(violations);
    }
}
