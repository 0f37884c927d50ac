package com.ltxgateway.dashboard.web;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.validation.BindingResult;

/** A form's validation errors by field, each shown next to its field. */
final class FormErrors {

    private FormErrors() {
    }

    static Map<String, String> of(BindingResult result) {
        Map<String, String> errors = new LinkedHashMap<>();
        // A value the field's type cannot take: the dashboard's only typed fields are numbers.
        result.getFieldErrors().forEach(error -> errors.merge(error.getField(),
                error.isBindingFailure() ? "must be a number" : error.getDefaultMessage(), (a, b) -> a + "; " + b));
        return errors;
    }
}
