package com.ltxgateway.training;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotNull;
import org.hibernate.validator.constraints.CodePointLength;

/** One of {@link TrainingInput#validation()}: a video rendered during training from a prompt and keyframes. */
@Schema(description = "A validation video rendered during training from a prompt and keyframe images.")
@JsonInclude(JsonInclude.Include.NON_NULL)
record ValidationSample(

        @Schema(description = "The prompt of the validation video.")
        @NotNull(message = "is required")
        @CodePointLength(min = 1, message = "must not be empty")
        @CodePointLength(max = 2000, message = "must be at most {max} characters")
        String prompt,

        @Schema(description = "The first keyframe.")
        @NotNull(message = "is required") @HttpUrl
        String startImageUrl,

        @Schema(description = "The last keyframe.")
        @NotNull(message = "is required") @HttpUrl
        String endImageUrl,

        @Schema(description = "The middle keyframe; required on every sample when include_middle_keyframe is true.")
        @HttpUrl
        String middleImageUrl) {
}
