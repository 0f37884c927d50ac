package com.ltxgateway.training;

import java.util.Map;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.hibernate.validator.constraints.CodePointLength;

/** The body of {@code POST /v1/trainings} and {@code POST /v1/trainings/validate}. */
@Schema(description = "A training to create. Every invalid field is named at once in the problem's errors.")
public record NewTraining(

        @Schema(description = "What fal trains on and how.")
        @NotNull(message = "is required")
        TrainingInput input,

        @Schema(description = "A dataset uploaded to the gateway (POST /v1/datasets) to train on, instead of "
                + "input.training_data_url: it must be ready, and its clips at least input.number_of_frames long unless "
                + "input.auto_scale_input. The training's input.training_data_url is then where fal downloads it.",
                example = "ds_01jf8z6y3k2m4n5p6q7r8s9t0v")
        @Pattern(regexp = "ds_[0-9a-z]{26}", message = "must be a dataset id (ds_ and 26 letters and digits)")
        String datasetId,

        @Schema(description = "Where to POST the training's state changes, signed with the team's webhook secret. "
                + "Must not point at a loopback, link-local or private address unless the gateway allows that host.")
        @HttpUrl
        String webhookUrl,

        @Schema(description = "The team's labels, to find trainings by (metadata.KEY=VALUE in the list).")
        @Size(max = 16, message = "must have at most {max} entries")
        Map<@CodePointLength(min = 1, max = 64, message = "key must be 1 to 64 characters") String,
                @CodePointLength(max = 512, message = "must be at most {max} characters") String> metadata,

        @Schema(description = "normal (the default) or low: sent to fal as x-fal-queue-priority, so that fal runs a low "
                + "training after the account's normal ones.", defaultValue = "normal")
        TrainingPriority priority) {
}
