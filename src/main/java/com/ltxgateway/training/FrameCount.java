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
 * A frame count fal's trainer takes for its training samples: one more than a multiple of 8. Only whole numbers are
 * judged; a fraction is the field type's to report.
 */
@Documented
@Retention(RUNTIME)
@Target({ METHOD, FIELD })
@Constraint(validatedBy = FrameCount.Validator.class)
public @interface FrameCount {

    String message() default "must satisfy number_of_frames % 8 == 1 (9, 17, 25, ... 121)";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    final class Validator implements ConstraintValidator<FrameCount, Number> {

        @Override
        public boolean isValid(Number value, ConstraintValidatorContext context) {
            return !(value instanceof Integer frames) || frames % 8 == 1;
        }
    }
}
