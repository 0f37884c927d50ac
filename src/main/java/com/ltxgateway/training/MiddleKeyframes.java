package com.ltxgateway.training;

import static java.lang.annotation.ElementType.TYPE;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;
import java.util.List;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;

/**
 * A model trained with a middle keyframe can only render validation samples that have one, so with
 * {@code include_middle_keyframe} every sample needs a {@code middle_image_url}. Reported on each sample that lacks it.
 */
@Documented
@Retention(RUNTIME)
@Target(TYPE)
@Constraint(validatedBy = MiddleKeyframes.Validator.class)
public @interface MiddleKeyframes {

    String message() default "is required on every item when include_middle_keyframe is true";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    final class Validator implements ConstraintValidator<MiddleKeyframes, TrainingInput> {

        @Override
        public boolean isValid(TrainingInput input, ConstraintValidatorContext context) {
            if (input == null || !Boolean.TRUE.equals(input.includeMiddleKeyframe())) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            boolean valid = true;
            List<ValidationSample> samples = input.validation();
            for (int i = 0; i < samples.size(); i++) {
                // A sample that is not even an object is read as null and already reported.
                if (samples.get(i) != null && samples.get(i).middleImageUrl() == null) {
                    context.buildConstraintViolationWithTemplate(context.getDefaultConstraintMessageTemplate())
                            .addPropertyNode("validation")
                            .addPropertyNode("middleImageUrl").inIterable().atIndex(i)
                            .addConstraintViolation();
                    valid = false;
                }
            }
            return valid;
        }
    }
}
