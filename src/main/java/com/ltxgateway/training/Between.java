package com.ltxgateway.training;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;

/**
 * A number from {@code min} to {@code max}, both included, written as the message shows them. Any JSON number is
 * compared, also one with a fraction or one too large for a double (which is then infinite, like NaN outside any
 * range), so that for an integer field a number out of range is reported as that rather than as a fraction.
 */
@Documented
@Retention(RUNTIME)
@Target({ METHOD, FIELD })
@Constraint(validatedBy = Between.Validator.class)
public @interface Between {

    String min();

    String max();

    String message() default "must be between {min} and {max}";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    final class Validator implements ConstraintValidator<Between, Number> {

        private double min;
        private double max;

        @Override
        public void initialize(Between between) {
            min = Double.parseDouble(between.min());
            max = Double.parseDouble(between.max());
        }

        @Override
        public boolean isValid(Number value, ConstraintValidatorContext context) {
            return value == null || value.doubleValue() >= min && value.doubleValue() <= max;
        }
    }
}
