package com.ltxgateway;

/**
 * One broken rule of a request body.
 *
 * @param field where, as a path such as {@code input.validation[1].middle_image_url} or {@code metadata.team-owner};
 *     empty for the body itself
 * @param message what is wrong, in words a caller can act on
 */
public record FieldViolation(String field, String message) {
}
