package com.ltxgateway.training;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;
import java.net.URI;
import java.net.URISyntaxException;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;

/**
 * An absolute http or https URL with a host, of at most {@value #MAX_LENGTH} characters: something fal or the
 * gateway can fetch or call. The length is checked first and reported alone, as a cut-off URL is no URL either.
 */
@Documented
@Retention(RUNTIME)
@Target({ METHOD, FIELD })
@Constraint(validatedBy = HttpUrl.Validator.class)
public @interface HttpUrl {

    int MAX_LENGTH = 2048;

    String message() default "must be an absolute http or https URL";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    final class Validator implements ConstraintValidator<HttpUrl, String> {

        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            if (value == null) {
                return true;
            }
            // In code points, as people (and fal's Python schema) count characters, not in UTF-16 units.
            if (value.codePointCount(0, value.length()) > MAX_LENGTH) {
                context.disableDefaultConstraintViolation();
                context.buildConstraintViolationWithTemplate("must be at most " + MAX_LENGTH + " characters")
                        .addConstraintViolation();
                return false;
            }
            try {
                URI uri = new URI(value);
                return ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                        && uri.getHost() != null;
            }
            catch (URISyntaxException e) {
                return false;
            }
        }
    }
}
