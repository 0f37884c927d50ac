package com.ltxgateway.training;

import java.util.List;

/** A training request broke the input contract; it names every violation so the caller can fix all in one go. */
public class TrainingRequestInvalid extends RuntimeException {

    private final List<FieldViolation> violations;

    public TrainingRequestInvalid(List<FieldViolation> violations) {
        super("The training request is invalid");
        this.violations = List.copyOf(violations);
    }

    public List<FieldViolation> violations() {
        return violations;
    }
}
